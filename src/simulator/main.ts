import { isValidTimeZone } from '../upstream/time.ts';
import { createSimulator } from './server.ts';

/**
 * `npm run simulator`: both platforms on one port. SIMULATOR_PORT (default 8080), SIMULATOR_HOST (default
 * 127.0.0.1; 0.0.0.0 to reach it from other machines), SIMULATOR_SEED (default 1), SIMULATOR_TIME_ZONE (default
 * Asia/Shanghai), SIMULATOR_PUBLIC_URL (base of the recording links it hands out; default its own URL).
 * The dialer: SIMULATOR_CALLBACK_URL (base URL of the callbacks; none by default), SIMULATOR_SPEED (simulated
 * seconds per real second, default 1), SIMULATOR_DIALER (on/off; default on when a callback URL is given).
 */

function readConfig(env: NodeJS.ProcessEnv) {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  const port = integer('SIMULATOR_PORT', 8080, 0, 65_535);
  const seed = integer('SIMULATOR_SEED', 1, 0, 4_294_967_295);
  const timeZone = env.SIMULATOR_TIME_ZONE?.trim() || 'Asia/Shanghai';
  if (!isValidTimeZone(timeZone)) problems.push(`SIMULATOR_TIME_ZONE "${timeZone}" is not a time zone`);
  const host = env.SIMULATOR_HOST?.trim() || '127.0.0.1';
  const publicUrl = env.SIMULATOR_PUBLIC_URL?.trim() || undefined;
  if (publicUrl && !URL.canParse(publicUrl)) problems.push(`SIMULATOR_PUBLIC_URL "${publicUrl}" is not a URL`);
  const callbackUrl = env.SIMULATOR_CALLBACK_URL?.trim() || undefined;
  if (callbackUrl && !URL.canParse(callbackUrl)) problems.push(`SIMULATOR_CALLBACK_URL "${callbackUrl}" is not a URL`);
  const rawSpeed = env.SIMULATOR_SPEED?.trim();
  const speed = rawSpeed ? Number(rawSpeed) : 1;
  if (!Number.isFinite(speed) || speed <= 0 || speed > 10_000) {
    problems.push(`SIMULATOR_SPEED must be a number above 0 and at most 10000, got "${rawSpeed}"`);
  }
  const rawDialer = env.SIMULATOR_DIALER?.trim().toLowerCase();
  let dialer: boolean | undefined;
  if (rawDialer) {
    if (['on', 'true', '1', 'yes'].includes(rawDialer)) dialer = true;
    else if (['off', 'false', '0', 'no'].includes(rawDialer)) dialer = false;
    else problems.push(`SIMULATOR_DIALER must be on or off, got "${rawDialer}"`);
  }
  return { port, seed, timeZone, host, publicUrl, callbackUrl, speed, dialer, problems };
}

const config = readConfig(process.env);
if (config.problems.length > 0) {
  console.error(`simulator: cannot start:\n  ${config.problems.join('\n  ')}`);
  process.exit(1);
}

const simulator = createSimulator({
  seed: config.seed,
  timeZone: config.timeZone,
  publicUrl: config.publicUrl,
  callbackUrl: config.callbackUrl,
  speed: config.speed,
  dialer: config.dialer,
});
const url = await simulator.start(config.port, config.host);
const { credentials } = simulator;
console.log(`Telephony simulator listening on ${url} (seed ${config.seed}, zone ${config.timeZone})
  SIP API:      POST ${url}/   appid=${credentials.appId}  accesskey=${credentials.accessKey}
  AI-call API:  ${url}/v1/task   ${credentials.aicallAuthHeader}: Bearer ${credentials.aicallToken}
  Switches:     ${url}/__sim/stats, /__sim/latency, /__sim/fail-next, /__sim/hang, /__sim/expire-tokens (docs/simulator.md)
  Dialer:       ${simulator.dialer.running ? `running at ${config.speed}× real time` : 'off (SIMULATOR_DIALER=on to run it)'}; callbacks ${
    config.callbackUrl ? `to ${config.callbackUrl}/{extension-status,call-record,task-status,aicall-notify}` : 'off (SIMULATOR_CALLBACK_URL)'
  }`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`\n${signal}: stopping the simulator`);
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('simulator: stop failed', error);
        process.exit(1);
      },
    );
  });
}
