/**
 * The two ways to open a recording file: drop it anywhere on the console, or choose it with
 * "Open recording…". Drops that something on the page took already (a file dropped into a JSON
 * editor inserts its text there) are left alone.
 */
import { useEffect, useRef, useState } from 'react';
import { openRecordingFile } from './open-recording.js';

/** Whether a drag carries files (not text or a link dragged from the page). */
const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;

/** Listens for files dragged over the window; shows a hint while one is, opens the one dropped. */
export function RecordingDropTarget() {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    // dragenter and dragleave come for every element crossed: count them to know when the drag left the window.
    let depth = 0;
    const onEnter = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      depth++;
      setDragging(true);
    };
    const onLeave = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onOver = (event: DragEvent) => {
      if (!carriesFiles(event) || event.defaultPrevented) return;
      // Without this the browser would open the file itself, leaving the console.
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const onDrop = (event: DragEvent) => {
      depth = 0;
      setDragging(false);
      if (!carriesFiles(event) || event.defaultPrevented) return;
      event.preventDefault();
      const file = event.dataTransfer?.files[0];
      if (file) void openRecordingFile(file);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
  if (!dragging) return null;
  // Drops pass through the hint (pointer-events: none) to what is under it.
  return (
    <div className="recording-drop-hint" role="status" data-testid="recording-drop-hint">
      Drop a recording (stepwise run --record) to open it
    </div>
  );
}

/** A button that opens the file picker for a recording. */
export function OpenRecordingButton({ label = 'Open recording…', className }: { label?: string; className?: string }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className={className} onClick={() => input.current?.click()} data-testid="open-recording">
        {label}
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        hidden
        aria-label="Recording file"
        data-testid="open-recording-file"
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = ''; // the same file chosen again opens again
          if (file) void openRecordingFile(file);
        }}
      />
    </>
  );
}
