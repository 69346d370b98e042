import { buildApp } from './app.ts';
import { ConfigError, type GatewayConfig, loadConfig, secretsOf } from './config.ts';
import { DEMO_SUBSCRIPTION, startDemo } from './demo.ts';
import { createLogger, LogFormat, type Logger, LogModule } from './logger.ts';
import { redact } from './redact.ts';
import type { Simulator } from './simulator/server.ts';
import { startupErrorDetails, startupErrorLine } from './startup-errors.ts';

/** The only module with side effects: configuration → (simulator in demo mode) → app → listen; signals stop it. */

const DEMO_CREDENTIALS = { appId: 'demo-appid', accessKey: 'demo-accesskey', aicallToken: 'demo-aicall-token' };

async function startSimulator(config: GatewayConfig, logger: Logger): Promise<{ simulator: Simulator; url: string }> {
  // Loaded only in demo mode: a configured gateway starts without the simulator's modules.
  const { createSimulator } = await import('./simulator/server.ts');
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

/**
 * LOG_FORMAT=auto: pretty for a person (stderr is a terminal, or demo mode, which someone runs by hand), JSON for a
 * log collector otherwise.
 */
function logFormatOf(config: GatewayConfig): LogFormat.Json | LogFormat.Pretty {
  if (config.logFormat !== LogFormat.Auto) return config.logFormat;
  return process.stderr.isTTY === true || config.demo ? LogFormat.Pretty : LogFormat.Json;
}

/** Where the server is bound, in words: loopback is this machine only. */
function bindingOf(host: string): { loopback: boolean; text: string } {
  const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
  if (loopback) return { loopback, text: `${host} (loopback: this machine only)` };
  if (host === '0.0.0.0' || host === '::') return { loopback, text: `${host} (every network interface)` };
  return { loopback, text: host };
}

function banner(config: GatewayConfig, url: string, simulatorUrl: string | null): string {
  const binding = bindingOf(config.host);
  const { exposure } = config;
  const lines = [
    `Call-centre GraphQL gateway listening on ${url}`,
    `  Bound to:   ${binding.text}`,
    `  GraphiQL:   ${exposure.graphiql ? `${url}/graphql` : 'off (GRAPHIQL=off)'}`,
    `  Wallboard:  ${exposure.wallboard ? `${url}/wallboard/` : 'off (WALLBOARD=off)'}`,
    `  Health:     ${url}/healthz`,
    `  Introspection: ${exposure.introspection}; browser origins: ${
      exposure.allowedOrigins.length > 0 ? `same origin + ${exposure.allowedOrigins.join(', ')}` : 'same origin only'
    } (docs/security.md)`,
  ];
  if (exposure.trustedDocuments.only) lines.push('  Trusted documents only (TRUSTED_DOCUMENTS=on): document text only from keys marked :arbitrary');
  if (simulatorUrl) {
    lines.push(
      '',
      '  ************************************************************************',
      '  DEMO MODE: no upstream configured. The built-in simulator answers for both',
      `  platforms at ${simulatorUrl}.`,
      '  What it exposes: the whole API with no API keys (everyone is admin, may',
      '  mutate), GraphiQL and introspection, to anyone who reaches the address',
      `  above${binding.loopback ? ' - loopback only, so this machine only.' : '.'}`,
      '  Other web sites in your browser are refused (CSRF check, no CORS).',
      '  Set SIP_API_URL / AICALL_API_URL and GATEWAY_API_KEYS for a real deployment.',
      '  ************************************************************************',
    );
    if (!binding.loopback) lines.push(`  WARNING: HOST=${config.host}: this open demo is reachable from the network.`);
  } else {
    lines.push(`  SIP API:    ${config.sip ? 'configured' : 'not configured'}`, `  AI-call:    ${config.aicall ? 'configured' : 'not configured'}`);
    if (config.authDisabled) lines.push('  WARNING: GATEWAY_AUTH=off: the API is open to anyone who can reach this port.');
  }
  lines.push('', '  Try:  { agents(first: 50) { totalCount edges { node { extension callStatus { state caller callee } seats { queue { name } state } } } } }');
  if (simulatorUrl) {
    lines.push(
      '',
      `  A demo campaign is dialling. Watch it on the wallboard: ${url}/wallboard/`,
      '  or paste this into GraphiQL and press run to watch agents live:',
      `  ${DEMO_SUBSCRIPTION}`,
      `  (or open ${url}/graphql?query=${encodeURIComponent(DEMO_SUBSCRIPTION)} )`,
    );
  }
  return lines.join('\n');
}

/** The configuration as loaded, for the start-up failure line (main().catch); null until it loaded. */
let loaded: GatewayConfig | null = null;

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
  loaded = config;
  // Every log line hides the configured secrets from the first line on (buildApp also registers them process-wide).
  const root = createLogger(config.logLevel, {
    secrets: secretsOf(config),
    // Demo mode without LOG_LEVEL: the simulator's dialer posts callbacks several times a second, and their access
    // lines would bury the banner and everything else; LOG_LEVEL (e.g. `info`) gives them back.
    modules: config.demo && process.env.LOG_LEVEL === undefined ? { ...config.logModules, [LogModule.Http]: 'warn' } : config.logModules,
    format: logFormatOf(config),
  });
  const logger = root.child({ module: LogModule.Startup });
  installLastNets(logger);

  let simulator: Simulator | null = null;
  let simulatorUrl: string | null = null;
  if (config.demo) {
    ({ simulator, url: simulatorUrl } = await startSimulator(config, logger));
    config = withSimulator(config, simulatorUrl);
  }

  const app = await buildApp(config, root);
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
    logger.info(`${signal}: stopping (a second ${signal} exits at once)`);
    // Readiness fails, connections drain (WebSockets 1001, SSE SERVER_DRAINING, requests and callbacks finish), then
    // everything closes: the store last, after the callbacks under way have been acknowledged.
    const finished = await app.shutdown();
    await simulator?.stop();
    logger.info(finished ? 'stopped' : 'stopped (some requests were cut at SHUTDOWN_TIMEOUT_SECONDS)');
    process.exit(0);
  };
  const stopOn = (signal: string) => () => {
    stop(signal).catch((error: unknown) => {
      logger.error(`${signal}: stopping failed; exiting`, error);
      process.exit(1);
    });
  };
  process.on('SIGINT', stopOn('SIGINT'));
  process.on('SIGTERM', stopOn('SIGTERM'));
}

/**
 * The last net for promises nobody caught (every known one is caught where it starts): log it, redacted like every
 * line, and keep running. Safe because the gateway keeps no state that a lost promise could leave half-changed in a
 * way that a restart would repair: every store write is one statement (docs/design.md), requests and subscriptions
 * fail on their own, and background loops (feed, catch-up, reconciler) retry on their next pass. Ending the process
 * would instead drop every connected client for one stray rejection. Synchronous exceptions that escape are
 * different (the stack they unwound may have left anything inconsistent): those are logged and the process exits,
 * as Node would.
 */
function installLastNets(logger: Logger): void {
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error('unhandled promise rejection (kept running)', reason);
  });
  process.on('uncaughtException', (error: Error) => {
    logger.error('uncaught exception; exiting', error);
    process.exit(1);
  });
}

/**
 * Start-up failed (a taken port, an unreachable database or Redis, …): one line naming the setting to change
 * (src/startup-errors.ts), redacted like a log line so no secret of a connection string or upstream answer is
 * printed; the stack and its causes only at LOG_LEVEL=debug.
 */
main().catch((error: unknown) => {
  const settings = loaded && { ...loaded, simulatorPort: loaded.demo ? loaded.simulatorPort : null };
  const secrets = { secrets: loaded ? secretsOf(loaded) : [] };
  let text = redact(startupErrorLine(error, settings), secrets);
  if ((loaded?.logLevel ?? process.env.LOG_LEVEL?.trim()) === 'debug') text += `\n${redact(startupErrorDetails(error), secrets)}`;
  process.stderr.write(`${text}\n`);
  process.exit(1);
});
