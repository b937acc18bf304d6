/**
 * The recording the user opened from a file (dropped on the console or chosen with "Open
 * recording…"), kept in memory for the recording page (#/recording): files are read in the
 * browser and go nowhere else. Opening one goes to that page, which shows it, or why the file
 * cannot be shown.
 */
import { useSyncExternalStore } from 'react';
import { MAX_RECORDING_CHARS, parseRecording, type Recording } from '../../../src/runtime/recording.js';
import { href, navigate } from '../router.js';

export type OpenedRecording =
  | { readonly recording: Recording; readonly fileName: string; readonly id: number }
  | { readonly error: string; readonly fileName: string; readonly id: number };

let opened: OpenedRecording | undefined;
let lastId = 0;
const listeners = new Set<() => void>();

export function useOpenedRecording(): OpenedRecording | undefined {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => opened,
  );
}

/** Reads `file` as a recording and shows it (or why it cannot be shown) on the recording page. */
export async function openRecordingFile(file: File): Promise<void> {
  const id = ++lastId;
  let next: OpenedRecording;
  try {
    next = { recording: await readRecordingFile(file), fileName: file.name, id };
  } catch (e) {
    next = { error: `${file.name} cannot be shown: ${e instanceof Error ? e.message : String(e)}`, fileName: file.name, id };
  }
  // A file chosen later may have been read sooner: the last one chosen wins.
  if (id !== lastId) return;
  opened = next;
  for (const listener of listeners) listener();
  navigate(href.recording());
}

async function readRecordingFile(file: File): Promise<Recording> {
  if (file.size > MAX_RECORDING_CHARS) throw new Error(`it is larger than ${MAX_RECORDING_CHARS / 1024 / 1024} MiB, too large a recording to show`);
  return parseRecording(await file.text());
}
