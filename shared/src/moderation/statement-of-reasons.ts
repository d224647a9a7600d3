/** Moved to shared/src/dsa/ (the Transparency Database's vocabulary, mapping and validator); kept so old imports keep working. */
export { EEA, buildStatement, storedStatementFor, type BuiltStatement, type PlatformFacts, type StatementInput } from '../dsa/statement-of-reasons';
