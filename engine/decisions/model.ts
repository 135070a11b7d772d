/**
 * Decision tables (DMN 1.3 decision tables), authored as JSON or imported from `.dmn`.
 * Input entries are FEEL unary tests against the input's value (`-` or empty = any);
 * output entries are FEEL expressions. A decision may require others (a decision requirement
 * graph): their results are evaluated first and are in scope by decision id and output name.
 */
import { z } from 'zod';

export const hitPolicies = ['UNIQUE', 'FIRST', 'PRIORITY', 'ANY', 'COLLECT', 'RULE ORDER', 'OUTPUT ORDER'] as const;
export type HitPolicy = (typeof hitPolicies)[number];

const id = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,199}$/);
const feel = z.string().max(2_000);
/** The types a table's columns are written in (DMN typeRef, FEEL's names). */
export const typeRefs = ['string', 'number', 'boolean', 'date'] as const;
export type TypeRef = (typeof typeRefs)[number];
const typeRef = z.enum(typeRefs);

export const decisionSchema = z.strictObject({
  id,
  name: z.string().max(500).optional(),
  /** Ids of decisions whose results this one reads. */
  requires: z.array(id).default([]),
  hitPolicy: z.enum(hitPolicies).default('UNIQUE'),
  /** With COLLECT: combine the single output's values. */
  aggregation: z.enum(['SUM', 'MIN', 'MAX', 'COUNT']).optional(),
  inputs: z
    .array(
      z.strictObject({
        id: id.optional(),
        label: z.string().max(500).optional(),
        expression: feel.min(1),
        /** What the expression gives (DMN typeRef): checked against the entries, and the Try it field's kind. */
        typeRef: typeRef.optional(),
        /** The values the input can take, as FEEL unary tests (DMN inputValues): the domain gaps are looked for in. */
        values: z.array(feel).max(200).optional(),
      }),
    )
    .max(100),
  outputs: z
    .array(
      z.strictObject({
        id: id.optional(),
        name: z.string().min(1).max(200),
        label: z.string().max(500).optional(),
        typeRef: typeRef.optional(),
        /** Allowed values in priority order (PRIORITY and OUTPUT ORDER use it), as FEEL literals. */
        values: z.array(z.string()).optional(),
      }),
    )
    .min(1)
    .max(50),
  rules: z
    .array(
      z.strictObject({
        id: id.optional(),
        description: z.string().max(2_000).optional(),
        inputEntries: z.array(feel),
        outputEntries: z.array(feel),
      }),
    )
    .max(5_000),
});

export type Decision = z.infer<typeof decisionSchema>;
export type DecisionInput = z.input<typeof decisionSchema>;
