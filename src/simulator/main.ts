import { optionsFromEnv } from './simulator.config';
import { startSimulator } from './simulator';

/**
 * Standalone southbound simulator: `npm run simulator` (after a build, `node dist/src/simulator/main.js`).
 * Settings come from SIMULATOR_* environment variables (see optionsFromEnv).
 */
async function main(): Promise<void> {
  const simulator = await startSimulator(optionsFromEnv(process.env));
  const { callbackUrl, notify, stepMs } = simulator.options;
  console.log(`Southbound simulator listening on ${simulator.url}`);
  console.log(`  TMF641 service ordering: ${simulator.serviceOrderingUrl}`);
  console.log(`  TMF653 service test:     ${simulator.serviceTestUrl}`);
  console.log(`  admin:                   ${simulator.url}/simulator`);
  console.log(`  callback: ${callbackUrl ?? '(none; register with POST /hub)'}, notify=${notify}, stepMs=${stepMs}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, closing the simulator`);
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Simulator did not close cleanly', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
