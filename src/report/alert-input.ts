/**
 * Checks one alert read back from an NDJSON file (the replay command's output, or alerts dumped
 * from the alerts topic as JSON) before it reaches the report. A bad record is reported and
 * skipped, never thrown: an auditor's file with one damaged line still gives a report.
 */
import { z } from 'zod';
import { EVIDENCE_KEYS } from '../engine/alert.js';
import { ALERT_ACTIONS, ALERT_SCOPES, SEVERITIES, SIGNAL_FAMILIES } from '../engine/types.js';
import type { Alert, EvidenceLists, SignalFinding } from '../engine/types.js';

const time = z.number().int().nonnegative();
const ids = z.array(z.string());
/** Avro-decoded signal evidence carries null for "no list of this kind". */
const optionalIds = ids.nullish();

const findingSchema = z.object({
  name: z.string().min(1),
  family: z.enum(SIGNAL_FAMILIES),
  value: z.number(),
  threshold: z.number(),
  strength: z.number(),
  horizonMs: z.number().nonnegative(),
  baseline: z.number().nullable().default(null),
  explanation: z.string(),
  evidence: z.object(Object.fromEntries(EVIDENCE_KEYS.map((k) => [k, optionalIds])) as Record<(typeof EVIDENCE_KEYS)[number], typeof optionalIds>),
});

const alertSchema = z.object({
  schemaVersion: z.literal(1),
  alertId: z.string().min(1),
  incidentId: z.string().min(1),
  sequence: z.number().int().nonnegative(),
  action: z.enum(ALERT_ACTIONS),
  scope: z.enum(ALERT_SCOPES),
  sellerId: z.string().min(1),
  severity: z.enum(SEVERITIES),
  score: z.number(),
  windowStart: time,
  windowEnd: time,
  detectedAt: time,
  signals: z.array(findingSchema),
  evidence: z.object(Object.fromEntries(EVIDENCE_KEYS.map((k) => [k, ids.default([])])) as Record<(typeof EVIDENCE_KEYS)[number], z.ZodDefault<typeof ids>>),
});

export type AlertParse = { readonly ok: true; readonly alert: Alert } | { readonly ok: false; readonly detail: string };

export function parseAlert(raw: unknown): AlertParse {
  const r = alertSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'the record' : issue.path.join('.');
    return { ok: false, detail: `${where}: ${issue?.message ?? 'invalid'} (expected an Alert as in src/engine/types.ts)` };
  }
  const a = r.data;
  if (a.windowEnd < a.windowStart) return { ok: false, detail: `windowEnd ${a.windowEnd} is before windowStart ${a.windowStart}` };
  const signals: SignalFinding[] = a.signals.map((s) => {
    const evidence: Partial<Record<keyof EvidenceLists, string[]>> = {};
    for (const k of EVIDENCE_KEYS) {
      const list = s.evidence[k];
      if (list !== null && list !== undefined) evidence[k] = list;
    }
    return { ...s, evidence };
  });
  return { ok: true, alert: { ...a, signals } };
}
