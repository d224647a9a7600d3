import { parseRuleImport, type ImportDefaults } from '../rules-io/import-rules';
import { checkPublish } from '../rules-io/publish-check';
import { parsePdqList, type PdqListImport } from '../rules-io/import-pdq-list';
import { previewQueries } from '../rules-io/preview-queries';
import { pdqOfPixels } from '../pdq/pdq-of-pixels';

/**
 * The rule work a RulePool runs off the event loop, by name: the same
 * functions the main thread would call, taking and returning plain
 * (structured-clone) data.
 */
export const ruleTasks = {
  'parse-import': (input: { content: string; format: 'csv' | 'json'; defaults: ImportDefaults }) => parseRuleImport(input.content, input.format, input.defaults),
  'parse-pdq-list': (input: { content: string; opts: PdqListImport }) => parsePdqList(input.content, input.opts),
  'check-publish': checkPublish,
  'preview-queries': previewQueries,
  'pdq-of-pixels': pdqOfPixels,
};

export type RuleTasks = typeof ruleTasks;
export type RuleTaskName = keyof RuleTasks;
export type RuleTaskInput<K extends RuleTaskName> = Parameters<RuleTasks[K]>[0];
export type RuleTaskOutput<K extends RuleTaskName> = ReturnType<RuleTasks[K]>;
