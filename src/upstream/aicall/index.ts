export { createAiCallClient, toHttpError, type AiCallClient, type AiCallClientOptions } from './client.ts';
export { parseImportResult, toImportBody } from './import-body.ts';
export { TASK_BODY_FIELDS, taskInputFieldOf, toTask, toTaskBody, toTaskOptions, type AiTaskBody } from './mapping.ts';
export * from './types.ts';
export { parseCallNotification, type AiCallNotification } from './notification.ts';
