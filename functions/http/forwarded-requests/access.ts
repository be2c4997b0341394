import { notFound } from '../../domain/errors.ts';
import { NO_SUCH_REQUEST, NO_SUCH_TASK, type StoredRequest } from '../../domain/forwarded-requests/rules.ts';
import type { RequestTask } from '../../domain/forwarded-requests/schemas.ts';
import type { Caller } from '../../shared/caller.ts';
import {
  requestKey,
  requestTaskKey,
  toRequestTask,
  toStoredRequest,
} from '../../store/forwarded-requests-store.ts';
import { isIssuedId } from '../../store/items.ts';
import { loadForPartyWith, type PartyAccess } from '../agreement-access.ts';

/** A task's number as a path segment: 1-9999 without leading zeros. */
const TASK_NUMBER = /^[1-9]\d{0,3}$/;

/**
 * The agreement, as one of its parties, with one of its forwarded requests in one round trip; an id we
 * never issued names no request and is not read (404).
 */
export async function loadRequestForParty(
  params: { id?: string; requestId?: string },
  caller: Caller,
): Promise<PartyAccess & { request: StoredRequest }> {
  const { request, ...access } = await load(params, caller, undefined);
  return { ...access, request };
}

/** As loadRequestForParty, with one of the request's tasks by its number (`{taskId}`) in the same round trip. */
export async function loadRequestTaskForParty(
  params: { id?: string; requestId?: string; taskId?: string },
  caller: Caller,
): Promise<PartyAccess & { request: StoredRequest; task: RequestTask }> {
  const number = TASK_NUMBER.test(params.taskId ?? '') ? Number(params.taskId) : 0;
  const { task, ...rest } = await load(params, caller, number);
  if (!task) throw notFound(NO_SUCH_TASK);
  return { ...rest, task };
}

async function load(
  params: { id?: string; requestId?: string },
  caller: Caller,
  taskNumber: number | undefined,
): Promise<PartyAccess & { request: StoredRequest; task?: RequestTask }> {
  const requestId = params.requestId ?? '';
  const known = params.id !== undefined && isIssuedId(requestId);
  const keys = known
    ? [
        requestKey(params.id!, requestId),
        ...(taskNumber ? [requestTaskKey(params.id!, requestId, taskNumber)] : []),
      ]
    : [];
  const {
    related: [requestItem, taskItem],
    ...access
  } = await loadForPartyWith(params.id, caller, keys);
  if (!requestItem) throw notFound(NO_SUCH_REQUEST);
  return {
    ...access,
    request: toStoredRequest(requestItem),
    ...(taskItem ? { task: toRequestTask(taskItem) } : {}),
  };
}
