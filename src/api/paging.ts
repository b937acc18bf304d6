/**
 * Pagination: `maxResults` 0 means the default (100), and a nextToken the store does not
 * recognise is AWS's InvalidToken.
 */
import { InvalidPageToken } from '../store/errors.js';
import type { Page, PageRequest } from '../store/types.js';
import { invalidToken } from './aws-errors.js';

export const DEFAULT_PAGE_SIZE = 100;

export function pageRequest(maxResults: number | undefined, nextToken: string | undefined): PageRequest {
  const limit = maxResults === undefined || maxResults === 0 ? DEFAULT_PAGE_SIZE : maxResults;
  return nextToken === undefined ? { limit } : { limit, nextToken };
}

/** Runs a store listing, turning a refused token into InvalidToken. */
export async function listing<T>(list: () => Promise<Page<T>>): Promise<Page<T>> {
  try {
    return await list();
  } catch (error) {
    if (error instanceof InvalidPageToken) throw invalidToken();
    throw error;
  }
}
