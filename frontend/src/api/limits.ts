/**
 * The API's text limits, as its OpenAPI document states them (limits.test.ts checks them
 * against frontend/openapi.json): a form allows exactly what the server accepts.
 */
export const TITLE_MAX_LENGTH = 200;
/** Descriptions of tasks and issues. */
export const TEXT_MAX_LENGTH = 10000;
/** Action notes and feedback bodies. */
export const NOTE_MAX_LENGTH = 5000;
/** A due date in working days (tasks, extensions, 督办单): 1 to this many. */
export const WORKING_DAYS_MAX = 250;
/** A chasing ladder's steps, in working days: 0 to this many. */
export const CHASING_DAYS_MAX = 30;
