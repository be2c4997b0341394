import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLING_STACKS_CONTEXT, type BuiltApp, buildApp } from '../../infra/build-app.ts';

interface ValidationReport {
  pluginReports: { pluginName: string; violations: { ruleName: string; severity: string }[] }[];
}

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: unknown;
}

/** Every acknowledgement recorded in the construct tree (`Validations.of(x).acknowledge`). */
function acknowledgementsIn(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([key, reason]) => ({
          path: construct.node.path,
          id: key.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** The findings AwsSolutions raises when no acknowledgement is honoured: what the acknowledgements answer. */
class IgnoringAcknowledgements extends AwsSolutionsChecks {}
Object.defineProperty(IgnoringAcknowledgements.prototype, 'isAcknowledged', { value: () => false });

let built: BuiltApp;
let outdir: string;
let synthError: unknown;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'dpa-infra-nag-'));
  built = buildApp({ context: { [BUNDLING_STACKS_CONTEXT]: [] }, nag: true, outdir });
  try {
    built.app.synth();
  } catch (error) {
    // Unacknowledged errors make synth throw; the report below says which.
    synthError = error;
  }
});

describe('cdk-nag AwsSolutions', () => {
  it('synthesizes with the AwsSolutions checks and leaves no violation in the validation report', () => {
    expect(existsSync(join(outdir, 'validation-report.json')), String(synthError)).toBe(true);
    const report = JSON.parse(
      readFileSync(join(outdir, 'validation-report.json'), 'utf8'),
    ) as ValidationReport;
    const violations = report.pluginReports
      .filter((plugin) => plugin.pluginName === 'AwsSolutions')
      .flatMap((plugin) => plugin.violations.map((v) => `${v.severity} ${v.ruleName}`));
    expect(violations).toEqual([]);
    expect(synthError).toBeUndefined();
  });

  it('finds no unacknowledged error or warning anywhere in the app', () => {
    const report = new AwsSolutionsChecks().validateScope(built.app);
    expect(
      report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources[0]?.constructPath}`),
    ).toEqual([]);
  });

  it('gives every acknowledgement a specific reason', () => {
    const acknowledgements = acknowledgementsIn(built.app);
    expect(acknowledgements.length).toBeGreaterThan(0);
    const unexplained = acknowledgements.filter(
      ({ reason }) => typeof reason !== 'string' || reason.trim().length < 40,
    );
    expect(unexplained).toEqual([]);
  });

  it('acknowledges only findings that exist (no stale acknowledgement hides a future one)', () => {
    const { app } = built;
    const raw = new IgnoringAcknowledgements().validateScope(app).violations;
    const findings = raw.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        id: violation.ruleName,
        path: resource.constructPath ?? '',
      })),
    );
    const stale = acknowledgementsIn(app).filter(
      (ack) => !findings.some((finding) => finding.id === ack.id && finding.path.startsWith(`${ack.path}/`)),
    );
    expect(findings.length).toBeGreaterThan(0);
    expect(stale).toEqual([]);
  });
});
