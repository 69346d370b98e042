import { buildApp } from './app.ts';
import { ConfigError, type GatewayConfig, loadConfig } from './config.ts';
import { DEMO_SUBSCRIPTION, startDemo } from './demo.ts';
import { createLogger, type Logger } from './logger.ts';
import { createSimulator, type Simulator } from './simulator/server.ts';

/** The only module with side effects: configuration → (simulator in demo mode) → app → listen; signals stop it. */

const DEMO_CREDENTIALS = { appId: 'demo-appid', accessKey: 'demo-accesskey', aicallToken: 'demo-aicall-token' };

async function startSimulator(config: GatewayConfig, logger: Logger): Promise<{ simulator: Simulator; url: string }> {
  const simulator = createSimulator({
    timeZone: config.upstreamTimeZone,
    appId: DEMO_CREDENTIALS.appId,
    accessKey: DEMO_CREDENTIALS.accessKey,
    aicallToken: DEMO_CREDENTIALS.aicallToken,
  });
  try {
    return { simulator, url: await simulator.start(config.simulatorPort, '127.0.0.1') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    logger.warn(`SIMULATOR_PORT ${config.simulatorPort} is taken; the built-in simulator takes a free port instead`);
    return { simulator, url: await simulator.start(0, '127.0.0.1') };
  }
}

/** Demo mode points both clients at the simulator it started. */
function withSimulator(config: GatewayConfig, url: string): GatewayConfig {
  return {
    ...config,
    sip: { url, appId: DEMO_CREDENTIALS.appId, accessKey: DEMO_CREDENTIALS.accessKey, formEncoding: 'multipart', tokenTtlMs: 12 * 3600_000 },
    aicall: { url, token: DEMO_CREDENTIALS.aicallToken, authHeader: 'authorization', authScheme: 'Bearer' },
  };
}

function banner(config: GatewayConfig, url: string, simulatorUrl: string | null): string {
  const lines = [`Call-centre GraphQL gateway listening on ${url}`, `  GraphiQL:   ${url}/graphql`, `  Health:     ${url}/healthz`];
  if (simulatorUrl) {
    lines.push(
      '',
      '  ************************************************************************',
      '  DEMO MODE: no upstream configured. The built-in simulator answers for both',
      `  platforms at ${simulatorUrl}, and the API is open to anyone (no API keys).`,
      '  Set SIP_API_URL / AICALL_API_URL and GATEWAY_API_KEYS for a real deployment.',
      '  ************************************************************************',
    );
  } else {
    lines.push(`  SIP API:    ${config.sip ? 'configured' : 'not configured'}`, `  AI-call:    ${config.aicall ? 'configured' : 'not configured'}`);
    if (config.authDisabled) lines.push('  WARNING: GATEWAY_AUTH=off: the API is open to anyone who can reach this port.');
  }
  lines.push('', '  Try:  { agents { extension callStatus { state caller callee } seats { queue { name } state } } }');
  if (simulatorUrl) {
    lines.push(
      '',
      '  A demo campaign is dialling. Paste this into GraphiQL and press run to watch agents live:',
      `  ${DEMO_SUBSCRIPTION}`,
      `  (or open ${url}/graphql?query=${encodeURIComponent(DEMO_SUBSCRIPTION)} )`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);

  let simulator: Simulator | null = null;
  let simulatorUrl: string | null = null;
  if (config.demo) {
    ({ simulator, url: simulatorUrl } = await startSimulator(config, logger));
    config = withSimulator(config, simulatorUrl);
  }

  const app = await buildApp(config, logger);
  const url = await app.start();
  if (simulator && config.callback) {
    await startDemo({ app, simulator, gatewayUrl: url, callbackSecret: config.callback.secret, speed: config.demoSpeed, logger });
  }
  process.stdout.write(`${banner(config, url, simulatorUrl)}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: stopping`);
    await app.stop();
    await simulator?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
