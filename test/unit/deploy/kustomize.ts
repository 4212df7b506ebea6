/**
 * A tiny kustomize for tests: renders a kustomization directory with the features this project's
 * manifests use — resources (files and directories), namespace, labels (metadata only), images and
 * strategic-merge patches by file. It throws on any other field so that a manifest using a feature
 * it does not know fails loudly instead of rendering wrong.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

export type Obj = Record<string, unknown>;
export interface Resource extends Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Obj;
}

const KNOWN = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readResources(file: string): Resource[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as unknown)
    .filter((d): d is Resource => isObj(d));
}

/** Strategic merge as kustomize does it for the fields used here: maps merge, lists of named maps merge by name. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isObj(base) && isObj(patch)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(patch)) out[k] = k in base ? strategicMerge(base[k], v) : v;
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch) && [...base, ...patch].every((e) => isObj(e) && typeof e.name === 'string')) {
    const out = base.map((e) => e as Obj);
    for (const p of patch as Obj[]) {
      const i = out.findIndex((e) => e.name === p.name);
      if (i >= 0) out[i] = strategicMerge(out[i], p) as Obj;
      else out.push(p);
    }
    return out;
  }
  return patch;
}

function podSpecs(r: Resource): Obj[] {
  const spec = r.spec;
  if (!isObj(spec)) return [];
  const template = spec.template;
  return isObj(template) && isObj(template.spec) ? [template.spec] : [];
}

export function renderKustomization(dir: string): Resource[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Obj;
  for (const key of Object.keys(k)) if (!KNOWN.has(key)) throw new Error(`${dir}: kustomization field ${key} is not supported by this renderer`);
  let out: Resource[] = [];
  for (const entry of (k.resources ?? []) as string[]) {
    const path = join(dir, entry);
    out.push(...(statSync(path).isDirectory() ? renderKustomization(path) : readResources(path)));
  }
  for (const p of (k.patches ?? []) as { path?: string }[]) {
    if (p.path === undefined) throw new Error(`${dir}: only patches with a path are supported`);
    for (const patch of readResources(join(dir, p.path))) {
      const i = out.findIndex((r) => r.kind === patch.kind && r.metadata.name === patch.metadata.name);
      if (i < 0) throw new Error(`${dir}: patch ${p.path} matches no ${patch.kind} ${patch.metadata.name}`);
      out = out.map((r, j) => (j === i ? (strategicMerge(r, patch) as Resource) : r));
    }
  }
  for (const l of (k.labels ?? []) as { pairs: Record<string, string>; includeSelectors?: boolean }[]) {
    if (l.includeSelectors === true) throw new Error(`${dir}: labels with includeSelectors are not supported`);
    out = out.map((r) => ({ ...r, metadata: { ...r.metadata, labels: { ...r.metadata.labels, ...l.pairs } } }));
  }
  for (const img of (k.images ?? []) as { name: string; newName?: string; newTag?: string }[]) {
    for (const r of out) {
      for (const spec of podSpecs(r)) {
        for (const c of (spec.containers ?? []) as Obj[]) {
          const [name, tag] = String(c.image).split(':');
          if (name === img.name) c.image = `${img.newName ?? name}:${img.newTag ?? tag}`;
        }
      }
    }
  }
  if (typeof k.namespace === 'string') {
    const ns = k.namespace;
    out = out.map((r) => (CLUSTER_SCOPED.has(r.kind) ? r : { ...r, metadata: { ...r.metadata, namespace: ns } }));
  }
  return out;
}
