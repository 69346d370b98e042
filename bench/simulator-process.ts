import { createSimulator } from '../src/simulator/server.ts';
import { cpuMs, serve } from './ipc.ts';

/** The SIP/AI-call simulator in its own process, with `agents` extra extensions all checked in to one queue. */

const sim = createSimulator();

serve(
  {
    async start({ agents, firstExtension }: { agents: number; firstExtension: number }) {
      const url = await sim.start(0, '127.0.0.1');
      const queue = [...sim.sip.queues.keys()][0];
      if (!queue) throw new Error('the simulator has no queue');
      for (let i = 0; i < agents; i += 1) {
        const number = String(firstExtension + i);
        // Every tenth disabled and every other one registered, so the answers are not all alike.
        sim.sip.addExtension({
          number,
          password: `pw-${number}`,
          enabled: i % 10 !== 0,
          registration: i % 2 === 0 ? { clientIp: `10.0.${i >> 8}.${i & 255}`, serverIp: '10.0.0.1', since: Date.now() } : null,
        });
        sim.sip.signIn(queue, number, String(i));
      }
      return { url, credentials: sim.credentials };
    },
    setLatency: (ms: number) => sim.control.setLatency(ms),
    resetStats: () => sim.stats.reset(),
    stats: () => sim.stats.snapshot(),
    cpu: () => cpuMs(),
  },
  () => sim.stop(),
);
