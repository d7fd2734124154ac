import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayMetrics } from '../services/metrics/gateway-metrics';

const CODE = /^[A-Z_]{1,40}$/;

/** Every GraphQL operation over HTTP: its latency by operation name and outcome (`ok`, or the first error's code). */
export function metricsPlugin<C extends object>(metrics: GatewayMetrics): ApolloServerPlugin<C> {
  return {
    requestDidStart() {
      const started = performance.now();
      return Promise.resolve({
        willSendResponse(rc) {
          const body = rc.response.body;
          const errors = rc.errors ?? (body.kind === 'single' ? body.singleResult.errors : undefined);
          const code = errors?.[0]?.extensions?.code;
          const outcome = !errors?.length ? 'ok' : typeof code === 'string' && CODE.test(code) ? code : 'ERROR';
          metrics.graphqlDuration.observe(
            { operation: metrics.operationLabel(rc.operationName), outcome },
            (performance.now() - started) / 1000,
          );
          return Promise.resolve();
        },
      });
    },
  };
}
