/**
 * deploy/k8s/: every manifest checked against the Kubernetes API schemas, without a cluster.
 *
 * Schemas: `kubernetes-models` (generated from the Kubernetes OpenAPI spec; its 4.5 line carries
 * the 1.33 API, e.g. ContainerStatus.stopSignal, and is the last to support Node 20: 5.x wants
 * Node 22 and made `npm ci` warn, issue 12) and `@kubernetes-models/prometheus-operator` (generated
 * from the prometheus-operator CRDs) for the PodMonitor. Each document goes through:
 *
 * 1. YAML: parsed as YAML 1.2 with duplicate keys rejected, and compared with its YAML 1.1 reading
 *    (what older Kubernetes tooling applies), so `yes`, `on` or `0755` cannot change meaning.
 * 2. API version: only GA versions (`vN`); the beta versions Kubernetes removed are named with the
 *    release that removed them (from the Kubernetes "Deprecated API Migration Guide").
 * 3. Schema: the kind's model `validate()` — the compiled JSON schema: types, required fields,
 *    enums, int32 and quantity formats.
 * 4. Unknown fields: JSON-schema validation lets them through (the API server silently drops
 *    them; `kubectl --validate=strict` refuses them). Here every document is type-checked by the
 *    TypeScript compiler as an object literal against the model's generated interface; the
 *    excess-property check rejects a field the schema does not declare, at any depth (at least one
 *    error per offending document; fix and rerun to see the next).
 * 5. Cross-references: selectors match the pod labels, Service target ports and probe ports are
 *    declared container ports, the autoscaler targets the Deployment, the PodDisruptionBudget and
 *    the PodMonitor select the pods, the container's env passes the service's own config schema
 *    (src/service/config.ts) and agrees with the ports, and the termination grace period covers
 *    the readiness delay, the drain and the shutdown watchdog.
 *
 * The second half feeds broken copies through the same checks to prove each one can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/service/config.js';
import { longestShutdownMs } from '../../src/service/shutdown.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, checked field by field below
type Obj = Record<string, any>;

const root = fileURLToPath(new URL('../..', import.meta.url));
const k8sDir = join(root, 'deploy', 'k8s');

interface Manifest {
  /** `deploy/k8s/x.yaml#0` */
  readonly id: string;
  readonly doc: Obj;
}

// ------------------------------------------------------------------------------------- YAML

/** The documents of one YAML file named `name`, and the problems found parsing them. */
function parseYaml(name: string, text: string): { manifests: Manifest[]; problems: string[] } {
  const manifests: Manifest[] = [];
  const problems: string[] = [];
  const docs12 = parseAllDocuments(text, { version: '1.2', uniqueKeys: true, strict: true, prettyErrors: false });
  const docs11 = parseAllDocuments(text, { version: '1.1', uniqueKeys: true, prettyErrors: false });
  if (!Array.isArray(docs12) || !Array.isArray(docs11)) return { manifests, problems }; // an empty stream
  docs12.forEach((d, i) => {
    const id = `${name}#${i}`;
    for (const e of [...d.errors, ...d.warnings]) problems.push(`${id}: YAML: ${e.message}`);
    const doc: unknown = d.toJS();
    if (doc === null || doc === undefined) return;
    if (!isDeepStrictEqual(doc, docs11[i]?.toJS())) {
      problems.push(`${id}: reads differently as YAML 1.1 and 1.2 (quote yes/no/on/off and octal-looking numbers)`);
    }
    if (typeof doc !== 'object' || Array.isArray(doc)) problems.push(`${id}: not a mapping`);
    else manifests.push({ id, doc: doc as Obj });
  });
  return { manifests, problems };
}

/** Every document of every .yaml/.yml file under deploy/k8s/. */
function loadManifests(): { manifests: Manifest[]; problems: string[] } {
  const files = readdirSync(k8sDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const parsed = files.map((f) => parseYaml(relative(root, join(k8sDir, f)), readFileSync(join(k8sDir, f), 'utf8')));
  return { manifests: parsed.flatMap((p) => p.manifests), problems: parsed.flatMap((p) => p.problems) };
}

// ------------------------------------------------------------------------- API versions

/** GA → removed beta versions still found in old charts, with the release that removed them. */
const REMOVED: Readonly<Record<string, { removedIn: string; use: string }>> = {
  'extensions/v1beta1 Deployment': { removedIn: '1.16', use: 'apps/v1' },
  'extensions/v1beta1 DaemonSet': { removedIn: '1.16', use: 'apps/v1' },
  'extensions/v1beta1 ReplicaSet': { removedIn: '1.16', use: 'apps/v1' },
  'extensions/v1beta1 NetworkPolicy': { removedIn: '1.16', use: 'networking.k8s.io/v1' },
  'extensions/v1beta1 PodSecurityPolicy': { removedIn: '1.16', use: 'Pod Security Admission' },
  'extensions/v1beta1 Ingress': { removedIn: '1.22', use: 'networking.k8s.io/v1' },
  'apps/v1beta1 Deployment': { removedIn: '1.16', use: 'apps/v1' },
  'apps/v1beta1 StatefulSet': { removedIn: '1.16', use: 'apps/v1' },
  'apps/v1beta2 Deployment': { removedIn: '1.16', use: 'apps/v1' },
  'apps/v1beta2 StatefulSet': { removedIn: '1.16', use: 'apps/v1' },
  'apps/v1beta2 DaemonSet': { removedIn: '1.16', use: 'apps/v1' },
  'apps/v1beta2 ReplicaSet': { removedIn: '1.16', use: 'apps/v1' },
  'networking.k8s.io/v1beta1 Ingress': { removedIn: '1.22', use: 'networking.k8s.io/v1' },
  'networking.k8s.io/v1beta1 IngressClass': { removedIn: '1.22', use: 'networking.k8s.io/v1' },
  'batch/v1beta1 CronJob': { removedIn: '1.25', use: 'batch/v1' },
  'discovery.k8s.io/v1beta1 EndpointSlice': { removedIn: '1.25', use: 'discovery.k8s.io/v1' },
  'policy/v1beta1 PodDisruptionBudget': { removedIn: '1.25', use: 'policy/v1' },
  'policy/v1beta1 PodSecurityPolicy': { removedIn: '1.25', use: 'Pod Security Admission' },
  'autoscaling/v2beta1 HorizontalPodAutoscaler': { removedIn: '1.25', use: 'autoscaling/v2' },
  'autoscaling/v2beta2 HorizontalPodAutoscaler': { removedIn: '1.26', use: 'autoscaling/v2' },
  'storage.k8s.io/v1beta1 CSIStorageCapacity': { removedIn: '1.27', use: 'storage.k8s.io/v1' },
};

/** CRD groups and the package holding their models; every other group is in kubernetes-models. */
const CRD_PACKAGES: Readonly<Record<string, string>> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

interface Schema {
  /** Module that exports the model class (named `kind`) and its interface (`I` + kind). */
  readonly module: string;
  readonly kind: string;
}

/** The schema for a document's apiVersion and kind, or why there is none. */
function schemaFor(doc: Obj): Schema | string {
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return 'apiVersion and kind must be strings';
  const m = /^(?:([a-z0-9][a-z0-9.-]*)\/)?(v\d+(?:(?:alpha|beta)\d+)?)$/.exec(apiVersion);
  if (m === null || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return `${apiVersion} ${kind}: not an API version and kind`;
  const removed = REMOVED[`${apiVersion} ${kind}`];
  if (removed !== undefined) return `${apiVersion} ${kind}: removed in Kubernetes ${removed.removedIn}, use ${removed.use}`;
  const [, group = '', version = ''] = m;
  if (!/^v\d+$/.test(version)) return `${apiVersion} ${kind}: not a GA API version (alpha/beta APIs may be off or gone)`;
  const pkg = CRD_PACKAGES[group];
  const module = pkg !== undefined ? `${pkg}/${group}/${version}/${kind}` : `kubernetes-models/${group === '' ? '' : `${group}/`}${version}/${kind}`;
  return { module, kind };
}

type ModelClass = new (data: unknown) => { validate(): void };

/** The kind's model class, or a problem. */
async function modelFor(schema: Schema): Promise<ModelClass | string> {
  try {
    const mod = (await import(schema.module)) as Record<string, unknown>;
    const cls = mod[schema.kind];
    return typeof cls === 'function' ? (cls as ModelClass) : `${schema.module} exports no ${schema.kind}`;
  } catch {
    return `no schema for ${schema.kind} (${schema.module} not found)`;
  }
}

/** API version, then the JSON schema: the problems of one document. */
async function schemaProblems(doc: Obj): Promise<string[]> {
  const schema = schemaFor(doc);
  if (typeof schema === 'string') return [schema];
  const Model = await modelFor(schema);
  if (typeof Model === 'string') return [Model];
  try {
    new Model(doc).validate();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

// ------------------------------------------------------------------------- unknown fields

/**
 * Type-checks each document as `const doc: I<Kind> = <document>` in one in-memory TypeScript
 * program (nothing is written to disk). Returns the problems of each document, by index.
 * Documents without a schema are skipped (schemaProblems() reports them).
 */
function unknownFieldProblems(docs: readonly Obj[]): string[][] {
  const sources = new Map<string, number>();
  const texts = new Map<string, string>();
  docs.forEach((doc, i) => {
    const schema = schemaFor(doc);
    if (typeof schema === 'string') return;
    // A file beside this test: module resolution finds the project's node_modules, and the
    // project's package.json makes it an ES module.
    const file = join(root, 'test', `.k8s-strict-${i}.ts`);
    sources.set(file, i);
    texts.set(file, `import type { I${schema.kind} as T } from '${schema.module}';\nexport const doc: T = ${JSON.stringify(doc, null, 2)};\n`);
  });
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const real = { fileExists: host.fileExists, readFile: host.readFile, getSourceFile: host.getSourceFile };
  host.fileExists = (f) => texts.has(f) || real.fileExists.call(host, f);
  host.readFile = (f) => texts.get(f) ?? real.readFile.call(host, f);
  host.getSourceFile = (f, language, ...rest) => {
    const text = texts.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, language) : real.getSourceFile.call(host, f, language, ...rest);
  };
  const program = ts.createProgram([...texts.keys()], options, host);
  const out = docs.map((): string[] => []);
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    const index = d.file === undefined ? undefined : sources.get(d.file.fileName);
    if (index === undefined || d.file === undefined || d.start === undefined) {
      // not about a document (a missing module, a compiler problem): every document fails
      for (const o of out) o.push(`TypeScript: ${message}`);
      continue;
    }
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const at = d.file.text.split('\n')[line]?.trim() ?? '';
    out[index]!.push(`at ${at}: ${message}`);
  }
  return out;
}

// ------------------------------------------------------------------------- cross-references

/** True when every label of `selector` is on `labels` with the same value (and it selects something). */
function selects(selector: Obj | undefined, labels: Obj | undefined): boolean {
  const match = selector?.matchLabels as Obj | undefined;
  if (match === undefined || Object.keys(match).length === 0 || selector?.matchExpressions !== undefined) return false;
  return Object.entries(match).every(([k, v]) => labels?.[k] === v);
}

function of(docs: readonly Obj[], apiVersion: string, kind: string): Obj[] {
  return docs.filter((d) => d.apiVersion === apiVersion && d.kind === kind);
}

/** Probes by name, for the checks below. */
const PROBES = { startupProbe: '/healthz', livenessProbe: '/healthz', readinessProbe: '/readyz' } as const;

/** How the objects refer to each other, and the Deployment's own invariants. */
function crossProblems(docs: readonly Obj[]): string[] {
  const problems: string[] = [];
  const deployments = of(docs, 'apps/v1', 'Deployment');
  const hpas = of(docs, 'autoscaling/v2', 'HorizontalPodAutoscaler');
  if (deployments.length !== 1) return [`expected one Deployment, found ${deployments.length}`];
  const dep = deployments[0]!;
  const name = dep.metadata?.name as string;
  const pod = dep.spec?.template ?? {};
  const podLabels = pod.metadata?.labels as Obj | undefined;
  const containers = (pod.spec?.containers ?? []) as Obj[];
  const portsByName = new Map<string, number>();
  for (const c of containers) for (const p of c.ports ?? []) if (typeof p.name === 'string') portsByName.set(p.name, p.containerPort);
  const portRef = (ref: unknown): boolean => (typeof ref === 'string' ? portsByName.has(ref) : [...portsByName.values()].includes(ref as number));

  if (!selects(dep.spec?.selector, podLabels)) problems.push(`Deployment ${name}: spec.selector does not match its pod template's labels`);

  // the service's config, read from the container's env exactly as the app reads it
  const app = containers[0];
  if (containers.length !== 1 || app === undefined) return [...problems, 'expected one container'];
  const env: Record<string, string> = {};
  for (const e of (app.env ?? []) as Obj[]) {
    if (typeof e.value === 'string') env[e.name] = e.value;
    else problems.push(`env ${e.name}: only literal values can be checked here`);
  }
  const config = loadConfig(env);
  if (!config.ok) return [...problems, ...config.problems.map((p) => `container env: ${p}`)];
  const { PORT, METRICS_PORT, READINESS_DELAY_MS } = config.config;
  if (portsByName.get('http') !== PORT) problems.push(`container port "http" is ${portsByName.get('http')}, PORT is ${PORT}`);
  if (portsByName.get('metrics') !== METRICS_PORT) problems.push(`container port "metrics" is ${portsByName.get('metrics')}, METRICS_PORT is ${METRICS_PORT}`);

  for (const [probe, path] of Object.entries(PROBES)) {
    const get = app[probe]?.httpGet as Obj | undefined;
    if (get === undefined) problems.push(`${probe}: missing (an httpGet probe)`);
    else if (get.path !== path || get.port !== 'metrics' || !portRef(get.port)) {
      problems.push(`${probe}: expected GET ${path} on the declared port "metrics", got ${get.path} on ${get.port}`);
    }
  }

  const graceMs = (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
  const needMs = longestShutdownMs(config.config);
  if (graceMs <= needMs) {
    problems.push(`terminationGracePeriodSeconds ${graceMs / 1000} s must exceed READINESS_DELAY_MS + SHUTDOWN_TIMEOUT_MS + watchdog = ${needMs / 1000} s`);
  }
  if (READINESS_DELAY_MS === 0) problems.push('READINESS_DELAY_MS is 0: the pod would stop accepting before the endpoints update reaches the proxies');

  const ann = (pod.metadata?.annotations ?? {}) as Obj;
  if (ann['prometheus.io/scrape'] !== 'true' || ann['prometheus.io/port'] !== String(METRICS_PORT) || ann['prometheus.io/path'] !== '/metrics') {
    problems.push(`pod annotations: prometheus.io/scrape "true", port "${METRICS_PORT}", path "/metrics" expected`);
  }

  for (const svc of of(docs, 'v1', 'Service')) {
    const n = svc.metadata?.name;
    if (!selects({ matchLabels: svc.spec?.selector }, podLabels)) problems.push(`Service ${n}: selector does not match the pods of Deployment ${name}`);
    for (const p of (svc.spec?.ports ?? []) as Obj[]) {
      if (!portRef(p.targetPort ?? p.port)) problems.push(`Service ${n}: targetPort ${p.targetPort} is not a container port`);
    }
  }

  for (const hpa of hpas) {
    const n = hpa.metadata?.name;
    const ref = hpa.spec?.scaleTargetRef ?? {};
    if (ref.apiVersion !== 'apps/v1' || ref.kind !== 'Deployment' || ref.name !== name) {
      problems.push(`HorizontalPodAutoscaler ${n}: scaleTargetRef ${ref.apiVersion} ${ref.kind} ${ref.name} is not Deployment ${name}`);
    }
    if ((hpa.spec?.minReplicas ?? 1) < 2) problems.push(`HorizontalPodAutoscaler ${n}: minReplicas below 2 leaves no pod during a disruption`);
    for (const m of (hpa.spec?.metrics ?? []) as Obj[]) {
      const resource = m.resource?.name;
      if (m.type === 'Resource' && m.resource?.target?.type === 'Utilization' && app.resources?.requests?.[resource] === undefined) {
        problems.push(`HorizontalPodAutoscaler ${n}: ${resource} utilization needs a ${resource} request on the container`);
      }
    }
  }
  if (hpas.length > 0 && dep.spec?.replicas !== undefined) problems.push(`Deployment ${name}: spec.replicas is set but the HorizontalPodAutoscaler owns the count`);

  for (const pdb of of(docs, 'policy/v1', 'PodDisruptionBudget')) {
    const n = pdb.metadata?.name;
    if (!selects(pdb.spec?.selector, podLabels)) problems.push(`PodDisruptionBudget ${n}: selector does not match the pods of Deployment ${name}`);
    const min = Math.min(...hpas.map((h) => h.spec?.minReplicas ?? 1));
    if (typeof pdb.spec?.maxUnavailable === 'number' && pdb.spec.maxUnavailable >= min) {
      problems.push(`PodDisruptionBudget ${n}: maxUnavailable ${pdb.spec.maxUnavailable} allows evicting all ${min} pods`);
    }
  }

  for (const pm of of(docs, 'monitoring.coreos.com/v1', 'PodMonitor')) {
    const n = pm.metadata?.name;
    if (!selects(pm.spec?.selector, podLabels)) problems.push(`PodMonitor ${n}: selector does not match the pods of Deployment ${name}`);
    for (const ep of (pm.spec?.podMetricsEndpoints ?? []) as Obj[]) {
      if (ep.port !== 'metrics' || !portRef(ep.port) || ep.path !== '/metrics') {
        problems.push(`PodMonitor ${n}: endpoint must scrape /metrics on the declared port "metrics", got ${ep.path} on ${ep.port}`);
      }
    }
  }
  return problems;
}

/** What a platform team's admission policy (Pod Security "restricted" and the usual extras) asks. */
function securityProblems(dep: Obj): string[] {
  const problems: string[] = [];
  const spec = dep.spec?.template?.spec ?? {};
  const pod = spec.securityContext ?? {};
  for (const c of (spec.containers ?? []) as Obj[]) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${at}: runAsNonRoot`);
    const uid = sc.runAsUser ?? pod.runAsUser;
    if (typeof uid !== 'number' || uid === 0) problems.push(`${at}: a numeric non-zero runAsUser (the image's USER is a name)`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation false`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem true`);
    if (sc.privileged === true) problems.push(`${at}: privileged`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL') || (sc.capabilities?.add ?? []).length > 0) problems.push(`${at}: drop ALL capabilities, add none`);
    if ((sc.seccompProfile ?? pod.seccompProfile)?.type !== 'RuntimeDefault') problems.push(`${at}: seccompProfile RuntimeDefault`);
    for (const r of ['cpu', 'memory']) if (c.resources?.requests?.[r] === undefined) problems.push(`${at}: resources.requests.${r}`);
    if (c.resources?.limits?.memory === undefined) problems.push(`${at}: resources.limits.memory`);
    if (typeof c.image !== 'string' || !/:[\w][\w.-]*$/.test(c.image) || c.image.endsWith(':latest')) problems.push(`${at}: image pinned to a tag other than latest`);
  }
  if (spec.automountServiceAccountToken !== false) problems.push('automountServiceAccountToken false (the app calls no Kubernetes API)');
  return problems;
}

// ------------------------------------------------------------------------------------- tests

const loaded = loadManifests();
const docs = loaded.manifests.map((m) => m.doc);
const byKind = (kind: string): Obj => {
  const d = docs.find((x) => x.kind === kind);
  if (d === undefined) throw new Error(`no ${kind} in deploy/k8s`);
  return structuredClone(d);
};

/** Broken copies for the unknown-field check, compiled in the same program as the real ones. */
const unknownFieldCases: Record<string, () => Obj> = {
  'a misspelt top-level field': () => ({ ...byKind('Deployment'), spek: {} }),
  'a field the container does not have': () => {
    const d = byKind('Deployment');
    d.spec.template.spec.containers[0].readinesProbe = d.spec.template.spec.containers[0].readinessProbe;
    return d;
  },
  'a securityContext field at the wrong level': () => {
    const d = byKind('Deployment');
    d.spec.template.spec.securityContext.readOnlyRootFilesystem = true; // a container-level field
    return d;
  },
  'a field the Service port does not have': () => {
    const s = byKind('Service');
    s.spec.ports[0].containerPort = 8000;
    return s;
  },
  'a field the HPA metric target does not have': () => {
    const h = byKind('HorizontalPodAutoscaler');
    h.spec.metrics[0].resource.target.averageUtilisation = 70;
    return h;
  },
  'a field the PodMonitor endpoint does not have': () => {
    const p = byKind('PodMonitor');
    p.spec.podMetricsEndpoints[0].scrapeInterval = '15s'; // it is `interval` (`targetPort` would pass: a deprecated real field)
    return p;
  },
};

let strict: string[][];
let strictBroken: Map<string, string[]>;

beforeAll(() => {
  const broken = Object.entries(unknownFieldCases).map(([name, make]) => [name, make()] as const);
  const all = unknownFieldProblems([...docs, ...broken.map(([, d]) => d)]);
  strict = all.slice(0, docs.length);
  strictBroken = new Map(broken.map(([name], i) => [name, all[docs.length + i]!]));
}, 60_000);

describe('deploy/k8s manifests', () => {
  test('parse as YAML 1.2 without duplicate keys and read the same as YAML 1.1', () => {
    expect(loaded.problems).toEqual([]);
    expect(loaded.manifests.length).toBeGreaterThanOrEqual(5);
  });

  test('hold a Deployment, a Service, an autoscaler, a disruption budget and a PodMonitor', () => {
    const kinds = docs.map((d) => `${d.apiVersion} ${d.kind}`).sort();
    expect(kinds).toEqual([
      'apps/v1 Deployment',
      'autoscaling/v2 HorizontalPodAutoscaler',
      'monitoring.coreos.com/v1 PodMonitor',
      'policy/v1 PodDisruptionBudget',
      'v1 Service',
    ]);
  });

  test('use served GA API versions and pass the schema of their kind', async () => {
    const problems: string[] = [];
    for (const m of loaded.manifests) for (const p of await schemaProblems(m.doc)) problems.push(`${m.id}: ${p}`);
    expect(problems).toEqual([]);
  });

  test('declare no field that the schema does not know', () => {
    const problems = loaded.manifests.flatMap((m, i) => strict[i]!.map((p) => `${m.id}: ${p}`));
    expect(problems).toEqual([]);
  });

  test('agree with each other: selectors, ports, probes, autoscaler target, env and grace period', () => {
    expect(crossProblems(docs)).toEqual([]);
  });

  test('run non-root on a read-only root filesystem without privileges, with requests and limits', () => {
    expect(securityProblems(byKind('Deployment'))).toEqual([]);
  });
});

describe('the checks reject', () => {
  test.each(Object.keys(unknownFieldCases))('unknown fields: %s', (name) => {
    const problems = strictBroken.get(name)!;
    expect(problems.length, 'no error reported').toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(/does not exist in type|Object literal may only specify known properties/);
  });

  test.each([
    ['extensions/v1beta1', 'Deployment', '1.16'],
    ['apps/v1beta2', 'Deployment', '1.16'],
    ['policy/v1beta1', 'PodDisruptionBudget', '1.25'],
    ['autoscaling/v2beta1', 'HorizontalPodAutoscaler', '1.25'],
    ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.26'],
  ])('removed API versions: %s %s', async (apiVersion, kind, release) => {
    const doc = { ...byKind(kind), apiVersion };
    expect((await schemaProblems(doc)).join('\n')).toContain(`removed in Kubernetes ${release}`);
  });

  test('beta API versions and kinds without a schema', async () => {
    expect(await schemaProblems({ ...byKind('Deployment'), apiVersion: 'apps/v1beta3' })).toEqual([
      'apps/v1beta3 Deployment: not a GA API version (alpha/beta APIs may be off or gone)',
    ]);
    expect((await schemaProblems({ ...byKind('Deployment'), kind: 'Deploymnet' })).join('\n')).toContain('no schema for Deploymnet');
    expect((await schemaProblems({ ...byKind('PodMonitor'), apiVersion: 'monitoring.coreos.com/v2' })).join('\n')).toContain('no schema');
  });

  test.each<[string, (d: Obj) => void, RegExp]>([
    [
      'a port number written as a string',
      (d) => {
        d.spec.template.spec.containers[0].ports[0].containerPort = '8000';
      },
      /containerPort must be integer/,
    ],
    [
      'a container without a name',
      (d) => {
        delete d.spec.template.spec.containers[0].name;
      },
      /required property 'name'|must have required property name/,
    ],
    [
      'an unknown enum value',
      (d) => {
        d.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
      },
      /imagePullPolicy must be equal to one of the allowed values/,
    ],
    [
      'a malformed quantity',
      (d) => {
        d.spec.template.spec.containers[0].resources.limits.memory = '256 megs';
      },
      /memory must match format "quantity"/,
    ],
    [
      'a port out of range',
      (d) => {
        d.spec.template.spec.containers[0].ports[0].containerPort = 2 ** 31;
      },
      /containerPort must match format "int32"/,
    ],
  ])('schema violations: %s', async (_name, mutate, expected) => {
    const d = byKind('Deployment');
    mutate(d);
    expect((await schemaProblems(d)).join('\n')).toMatch(expected);
  });

  test('a PodMonitor whose endpoints are not a list', async () => {
    const p = byKind('PodMonitor');
    p.spec.podMetricsEndpoints = { port: 'metrics' };
    expect((await schemaProblems(p)).join('\n')).toMatch(/podMetricsEndpoints must be array/);
  });

  const withDocs = (mutate: (all: Obj[]) => void): string[] => {
    const all = structuredClone(docs) as Obj[];
    mutate(all);
    return crossProblems(all);
  };
  const find = (all: Obj[], kind: string): Obj => all.find((d) => d.kind === kind)!;
  const container = (all: Obj[]): Obj => find(all, 'Deployment').spec.template.spec.containers[0];

  test.each<[string, (all: Obj[]) => void, RegExp]>([
    [
      'a Deployment selector that misses its pods',
      (a) => {
        find(a, 'Deployment').spec.selector.matchLabels['app.kubernetes.io/name'] = 'other';
      },
      /Deployment basehttp: spec.selector/,
    ],
    [
      'a Service selecting other pods',
      (a) => {
        find(a, 'Service').spec.selector['app.kubernetes.io/instance'] = 'canary';
      },
      /Service basehttp: selector/,
    ],
    [
      'a Service targeting an undeclared port name',
      (a) => {
        find(a, 'Service').spec.ports[0].targetPort = 'web';
      },
      /targetPort web is not a container port/,
    ],
    [
      'an autoscaler aimed at another Deployment',
      (a) => {
        find(a, 'HorizontalPodAutoscaler').spec.scaleTargetRef.name = 'basehttp-old';
      },
      /scaleTargetRef apps\/v1 Deployment basehttp-old/,
    ],
    [
      'an autoscaler on CPU without a CPU request',
      (a) => {
        delete container(a).resources.requests.cpu;
      },
      /cpu utilization needs a cpu request/,
    ],
    [
      'replicas set beside an autoscaler',
      (a) => {
        find(a, 'Deployment').spec.replicas = 3;
      },
      /spec.replicas is set/,
    ],
    [
      'a disruption budget selecting other pods',
      (a) => {
        find(a, 'PodDisruptionBudget').spec.selector.matchLabels['app.kubernetes.io/name'] = 'x';
      },
      /PodDisruptionBudget basehttp: selector/,
    ],
    [
      'a disruption budget that allows evicting every pod',
      (a) => {
        find(a, 'PodDisruptionBudget').spec.maxUnavailable = 3;
      },
      /maxUnavailable 3 allows evicting all 3 pods/,
    ],
    [
      'a PodMonitor on an undeclared port',
      (a) => {
        find(a, 'PodMonitor').spec.podMetricsEndpoints[0].port = 'prom';
      },
      /PodMonitor basehttp: endpoint/,
    ],
    [
      'a readiness probe on the app port',
      (a) => {
        container(a).readinessProbe.httpGet.port = 'http';
      },
      /readinessProbe: expected GET \/readyz/,
    ],
    [
      'a liveness probe on an undeclared port',
      (a) => {
        container(a).livenessProbe.httpGet.port = 'admin';
      },
      /livenessProbe: expected GET \/healthz/,
    ],
    [
      'a container port that disagrees with METRICS_PORT',
      (a) => {
        container(a).ports[1].containerPort = 9100;
      },
      /container port "metrics" is 9100, METRICS_PORT is 9464/,
    ],
    [
      'an env value the service rejects',
      (a) => {
        container(a).env.find((e: Obj) => e.name === 'SHUTDOWN_TIMEOUT_MS').value = '10s';
      },
      /container env: SHUTDOWN_TIMEOUT_MS="10s"/,
    ],
    [
      'a grace period shorter than delay + drain + watchdog',
      (a) => {
        find(a, 'Deployment').spec.template.spec.terminationGracePeriodSeconds = 15;
      },
      /terminationGracePeriodSeconds 15 s must exceed .* = 17 s/,
    ],
    [
      'no readiness delay',
      (a) => {
        container(a).env.find((e: Obj) => e.name === 'READINESS_DELAY_MS').value = '0';
      },
      /READINESS_DELAY_MS is 0/,
    ],
    [
      'a scrape annotation on the wrong port',
      (a) => {
        find(a, 'Deployment').spec.template.metadata.annotations['prometheus.io/port'] = '8000';
      },
      /pod annotations/,
    ],
  ])('cross-references: %s', (_name, mutate, expected) => {
    expect(withDocs(mutate).join('\n')).toMatch(expected);
  });

  test.each<[string, (d: Obj) => void, RegExp]>([
    [
      'root',
      (d) => {
        d.spec.template.spec.securityContext.runAsUser = 0;
      },
      /numeric non-zero runAsUser/,
    ],
    [
      'a writable root filesystem',
      (d) => {
        d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
      },
      /readOnlyRootFilesystem/,
    ],
    [
      'privilege escalation',
      (d) => {
        delete d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation;
      },
      /allowPrivilegeEscalation/,
    ],
    [
      'an added capability',
      (d) => {
        d.spec.template.spec.containers[0].securityContext.capabilities.add = ['NET_BIND_SERVICE'];
      },
      /drop ALL capabilities/,
    ],
    [
      'no seccomp profile',
      (d) => {
        delete d.spec.template.spec.securityContext.seccompProfile;
      },
      /seccompProfile RuntimeDefault/,
    ],
    [
      'no memory limit',
      (d) => {
        delete d.spec.template.spec.containers[0].resources.limits.memory;
      },
      /resources.limits.memory/,
    ],
    [
      'a :latest image',
      (d) => {
        d.spec.template.spec.containers[0].image = 'basehttp:latest';
      },
      /image pinned/,
    ],
  ])('security settings: %s', (_name, mutate, expected) => {
    const d = byKind('Deployment');
    mutate(d);
    expect(securityProblems(d).join('\n')).toMatch(expected);
  });

  test('duplicate keys, values that YAML 1.1 reads differently, and a document that is not a mapping', () => {
    expect(parseYaml('x.yaml', 'a: 1\na: 2\n').problems.join('\n')).toMatch(/x\.yaml#0: YAML: .*unique/i);
    expect(parseYaml('x.yaml', 'value: yes\n').problems).toEqual(['x.yaml#0: reads differently as YAML 1.1 and 1.2 (quote yes/no/on/off and octal-looking numbers)']);
    expect(parseYaml('x.yaml', 'mode: 0755\n').problems.length).toBe(1);
    expect(parseYaml('x.yaml', 'a: 1\n---\n- b\n').problems).toEqual(['x.yaml#1: not a mapping']);
    expect(parseYaml('x.yaml', 'value: "yes"\nmode: "0755"\n').problems).toEqual([]);
  });
});
