import pino, { type Logger } from 'pino';
import { GatewayMetrics } from './gateway-metrics';

/** What the services report to operators: metrics and warnings (the runtime's; silent ones in tests that build services directly). */
export interface Telemetry {
  metrics: GatewayMetrics;
  logger: Logger;
}

export function quietTelemetry(): Telemetry {
  return { metrics: new GatewayMetrics({ processMetrics: false }), logger: pino({ level: 'silent' }) };
}
