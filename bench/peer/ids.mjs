import crypto from 'node:crypto';

// 16 hex chars instead of the package's 8 (Math.random), so that 100,000 seeded rows do not collide.
export const newId = (prefix) => `${prefix}_${crypto.randomBytes(8).toString('hex')}`;
const prefixes = { message: 'msg', tool_call: 'tc', task: 'tsk', workflow: 'wf', attachment: 'atc' };
export const newItemId = (type) => newId(prefixes[type] ?? 'msg');
