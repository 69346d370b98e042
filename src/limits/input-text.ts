import { type DocumentNode, GraphQLError, visit } from 'graphql';
import { ErrorCode } from '../errors.ts';

/**
 * No input string carries control characters (C0 controls but tab, line feed and carriage return; DEL): nothing a
 * call centre sends needs them, and a NUL or an escape passed on to the PBX's SQL or logs is an attack, not data.
 * Checked in document literals (with the document, cached) and in the variables (per request), before anything runs.
 */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function refusal(where: string): GraphQLError {
  const message = `${where} holds a control character (only tab, line feed and carriage return are allowed in text)`;
  return new GraphQLError(message, { extensions: { code: ErrorCode.InvalidInput, issues: [{ path: [], message }], http: { status: 400 } } });
}

/** The first string literal of the document with a control character, as an error. */
export function checkDocumentText(document: DocumentNode): GraphQLError[] {
  let found: GraphQLError | null = null;
  visit(document, {
    StringValue(node) {
      if (!found && CONTROL.test(node.value)) found = refusal('a string in the document');
    },
  });
  return found ? [found] : [];
}

/** The first string in the variables with a control character, as an error (an iterative walk). */
export function checkVariablesText(variables: unknown): GraphQLError[] {
  const stack: Array<{ value: unknown; path: string }> = [{ value: variables, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: string };
    if (typeof value === 'string') {
      if (CONTROL.test(value)) return [refusal(`the variable at "${path}"`)];
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], path: `${path}[${i}]` });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) stack.push({ value: inner, path: path ? `${path}.${key}` : key });
    }
  }
  return [];
}
