import { resolve } from 'node:path';
import { usageError } from '../../core/errors.js';
import type { WatchSection } from '../../spec/sections/watch.js';
import { loadRuleFile } from '../rules/load-rules.js';
import type { RuleGroup } from '../rules/model.js';
import { ruleGroupSchema } from '../rules/schema.js';
import { expandSlo } from '../slo/expand.js';

/**
 * Everything `watch` evaluates, gathered from the spec: inline rule groups, rule files
 * (relative to the spec) and the rule groups SLOs expand into. Group names must be
 * unique across all of them, as in one Prometheus.
 */
export function ruleGroupsOf(section: WatchSection, baseDir: string): RuleGroup[] {
  const groups: RuleGroup[] = [...(section.rules?.groups ?? [])];
  for (const f of section.ruleFiles ?? []) groups.push(...loadRuleFile(resolve(baseDir, f)));
  for (const slo of section.slos ?? []) for (const g of expandSlo(slo)) groups.push(ruleGroupSchema.parse(g));
  const seen = new Set<string>();
  for (const g of groups) {
    if (seen.has(g.name))
      throw usageError(
        'E_RULES',
        `duplicate rule group "${g.name}" (inline rules, rule files and SLOs share one namespace)`,
      );
    seen.add(g.name);
  }
  return groups;
}
