/**
 * Plausible physical bounds of the wire contract, in one place: a value outside them is a broken
 * reading or a hostile sender, never a real device. They also keep every amount the collector
 * derives (rate × interval × devices per message) finite and far from the range where a counter's
 * float64 stops adding small increments exactly. protocol/README.md lists them with the reasons.
 */
export const BOUNDS = {
  /** Per device: the largest single machine (a GB200 NVL72 rack draws ~130 kW) with headroom. */
  device_power_w: 1e6,
  /** A `meter` device measures a whole site or feeder: 1 GW covers the largest campuses. */
  meter_power_w: 1e9,
  /** 1 GW for 30 years. */
  energy_j: 1e18,
  /** 10 PH/s per device; a hydro rack of today's ASICs is under 1 PH/s. */
  hashrate_hs: 1e16,
  /** Server and ASIC fans spin under 30,000 rpm. */
  fan_rpm: 100_000,
  /** Chips shut down far below 300 °C; sensors below -100 °C are broken. */
  temp_c: { min: -100, max: 300 },
  /** 300 years. */
  uptime_s: 1e10,
  /** 1 PB: far above any GPU or host. */
  mem_bytes: 1e15,
  /** A message covers at most one day of sampling. */
  interval_s: 86_400,
  /** Upper bound on devices per message; agents split larger fleets across messages. */
  devices_per_message: 5000,
  /** JSON nesting depth of a payload: the contract needs 3 (message, devices, device); more is refused before parsing. */
  json_depth: 16,
} as const;
