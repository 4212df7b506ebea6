/**
 * Instances that start together register the same new alert subject at the same moment: against
 * the real registry (Apicurio's Confluent API) every one of them must get the schema's id. Before
 * the 409 retry in `register`, 7 of 60 such registrations failed here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRegistrySource } from '../../src/io/kafka/codec.js';
import { registryUrl, uniqueName } from './helpers/kafka.js';
import { withTimeout } from './helpers/timeout.js';

const url = registryUrl();
const INSTANCES = 6;
const ROUNDS = 10;

describe('schema registration by instances starting together', { skip: url === undefined && 'no schema registry: SCHEMA_REGISTRY_URL unset (see scripts/kafka-local.sh)' }, () => {
  it(`${INSTANCES} instances registering one new subject, ${ROUNDS} times, all get one id and the subject is BACKWARD`, async () => {
    const schema = { type: 'record', name: 'RaceAlert', namespace: 'brushwatch.test', fields: [{ name: 'x', type: 'int' }] };
    for (let round = 0; round < ROUNDS; round++) {
      const subject = `${uniqueName('race')}-value`;
      const ids = await withTimeout(
        Promise.all(Array.from({ length: INSTANCES }, () => createRegistrySource({ url: url ?? '', username: null, password: null }).register(subject, schema))),
        30_000,
        `round ${round} registrations`,
      );
      assert.equal(new Set(ids).size, 1, `round ${round}: ids ${ids.join(',')}`);
      const res = await fetch(`${url}/config/${encodeURIComponent(subject)}`);
      assert.equal(((await res.json()) as { compatibilityLevel: string }).compatibilityLevel, 'BACKWARD');
    }
  });
});
