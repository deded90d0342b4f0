/** Install defaults shared by the command line (cli/main.ts, loaded for every command) and the plan: kept free of imports. */
export const PARTS = ['agent', 'collector'] as const;
export type Part = (typeof PARTS)[number];

export const DEFAULT_USER = 'powersite';
/** The collector's MQTT user name by default: the first collector of deploy/mosquitto/acl. */
export const DEFAULT_COLLECTOR_MQTT_USER = 'collector-1';
