import { describe, expect, it } from 'vitest';
import { mqttOptions, MqttClientConfig } from './mqtt.js';
import { readPassword } from '../collector/store/http-write.js';

describe('secret file errors', () => {
  it('name the key but never echo a secret written where the path belongs', async () => {
    const secret = 'hunter2-not-a-path';
    const mqttErr = await mqttOptions(MqttClientConfig.parse({ password_file: secret }), 'c').catch((e: Error) => e.message);
    expect(mqttErr).toContain('mqtt.password_file');
    expect(mqttErr).not.toContain(secret);
    const influxErr = await readPassword('influx', undefined, secret).catch((e: Error) => e.message);
    expect(influxErr).toContain('influx.password_file');
    expect(influxErr).not.toContain(secret);
  });

  it('still show an absolute path, so a missing file is easy to find', async () => {
    const err = await mqttOptions(MqttClientConfig.parse({ password_file: '/nonexistent/powersite/mqtt.pass' }), 'c').catch((e: Error) => e.message);
    expect(err).toContain('/nonexistent/powersite/mqtt.pass');
    expect(err).toContain('ENOENT');
  });
});
