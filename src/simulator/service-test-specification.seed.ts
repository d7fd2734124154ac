import type { Json } from './tmf-resources';

/**
 * The specifications a test system publishes from the start, as TMF653 v4.2 ServiceTestSpecifications.
 * Their testMeasureDefinition[] entries have no id, because v4.2 defines none: the gateway's operator
 * fills that id by hand after an import. Metric names match the simulator's measure profiles, so a test
 * run against one of them gets plausible values.
 */
export const SEEDED_SPECIFICATIONS: ReadonlyArray<Json & { id: string; name: string }> = [
  {
    id: 'line-test',
    name: 'Access line test',
    description: 'Checks the physical access line: synchronisation, attenuation and noise margin.',
    version: '2.1',
    lifecycleStatus: 'Active',
    relatedServiceSpecification: [{ id: 'broadband-access', name: 'Broadband access' }],
    testMeasureDefinition: [
      definition('Line synchronisation', 'lineSyncStatus', 'state', 'string', 'Whether the modem is in sync with the exchange'),
      definition('Line attenuation', 'attenuation', 'dB', 'number', 'Downstream line attenuation'),
      definition('Noise margin', 'signalToNoiseMargin', 'dB', 'number', 'Downstream signal-to-noise margin'),
    ],
  },
  {
    id: 'throughput-test',
    name: 'Throughput test',
    description: 'Measures the throughput the customer gets in both directions.',
    version: '1.4',
    lifecycleStatus: 'Active',
    relatedServiceSpecification: [{ id: 'internet', name: 'Internet access' }],
    testMeasureDefinition: [
      definition('Downstream throughput', 'downstreamThroughput', 'Mbps', 'number', 'TCP throughput towards the customer'),
      definition('Upstream throughput', 'upstreamThroughput', 'Mbps', 'number', 'TCP throughput from the customer'),
    ],
  },
  {
    id: 'latency-test',
    name: 'Latency and jitter test',
    description: 'Measures round-trip latency, jitter and packet loss to the core network.',
    version: '1.0',
    lifecycleStatus: 'Active',
    relatedServiceSpecification: [
      { id: 'internet', name: 'Internet access' },
      { id: 'voip', name: 'Voice over IP' },
    ],
    testMeasureDefinition: [
      definition('Round-trip latency', 'latency', 'ms', 'number', 'Median round-trip time of 100 probes'),
      definition('Jitter', 'jitter', 'ms', 'number', 'Mean variation of the round-trip time'),
      definition('Packet loss', 'packetLoss', '%', 'number', 'Share of probes without an answer'),
    ],
  },
];

function definition(name: string, metricName: string, unitOfMeasure: string, valueType: string, metricDescription: string): Json {
  return { name, metricName, metricDescription, unitOfMeasure, valueType };
}
