import { builder } from '../builder.ts';
import { cost } from '../limits/cost.ts';

export enum UpstreamKind {
  Sip = 'SIP',
  AiCall = 'AI_CALL',
}

interface UpstreamStatusShape {
  kind: UpstreamKind;
  configured: boolean;
  simulated: boolean;
}

export const UpstreamKindRef = builder.enumType('UpstreamKind', {
  description: 'The platforms the gateway fronts.',
  values: {
    SIP: { value: UpstreamKind.Sip, description: 'The predictive-call PBX ("SIP API").' },
    AI_CALL: { value: UpstreamKind.AiCall, description: 'The AI-call (voice-bot) platform.' },
  } as const,
});

const UpstreamStatus = builder.objectRef<UpstreamStatusShape>('UpstreamStatus').implement({
  description: 'How one upstream platform is wired in this deployment.',
  fields: (t) => ({
    kind: t.expose('kind', { type: UpstreamKindRef, description: 'Which platform.' }),
    configured: t.exposeBoolean('configured', {
      description: 'False when this deployment has no such platform; its fields then fail with UPSTREAM_NOT_CONFIGURED.',
    }),
    simulated: t.exposeBoolean('simulated', { description: 'True when the built-in simulator stands in for it.' }),
  }),
});

const GatewayInfo = builder.objectRef<{ version: string; demo: boolean; zone: string; upstreams: UpstreamStatusShape[] }>('GatewayInfo').implement({
  description: 'About this gateway deployment.',
  fields: (t) => ({
    version: t.exposeString('version', { description: 'The gateway version.' }),
    demo: t.exposeBoolean('demo', {
      description: 'True in demo mode: no upstream configured, the built-in simulator answers, no authentication.',
    }),
    upstreamTimeZone: t.exposeString('zone', {
      description: 'The zone the platforms write their times in; the API itself speaks ISO-8601 instants.',
    }),
    upstreams: t.expose('upstreams', { type: [UpstreamStatus], description: 'The platforms and how each is wired.' }),
  }),
});

builder.queryField('gateway', (t) =>
  t.field({
    type: GatewayInfo,
    description: 'About this gateway: version, mode and upstream wiring.',
    // Cost: from the configuration in memory.
    complexity: cost.local,
    resolve: (_root, _args, { config, version }) => ({
      version,
      demo: config.demo,
      zone: config.upstreamTimeZone,
      upstreams: [
        { kind: UpstreamKind.Sip, configured: config.sip !== null, simulated: config.demo },
        { kind: UpstreamKind.AiCall, configured: config.aicall !== null, simulated: config.demo },
      ],
    }),
  }),
);
