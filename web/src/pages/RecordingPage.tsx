/**
 * A recording (`stepwise run --record`): the execution page's graph, state panel and history
 * for an execution kept in a file, with no server behind it. The recording is either the file
 * the user opened in this tab (dropped, or chosen with "Open recording…"), or, with `src`, a file
 * served beside the console (`stepwise view` serves recording.json); nothing else is asked of the
 * server.
 */
import { useEffect, useState } from 'react';
import { parseRecording, type Recording } from '../../../src/runtime/recording.js';
import { apiBase } from '../auth/session.js';
import { ErrorMessage, useDocumentTitle } from '../components/common.js';
import { ExecutionView } from '../components/ExecutionView.js';
import { ExecutionSourceContext } from '../history/execution-source.js';
import { useRecordedExecution } from '../history/recorded-execution.js';
import { OpenRecordingButton } from '../recording/RecordingFiles.js';
import { useOpenedRecording } from '../recording/open-recording.js';

/** `src` names a file beside the console, never a URL: a link must not make the page read from elsewhere. */
const SOURCE_FILE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}\.json$/;

type Loaded = { readonly recording: Recording; readonly fileName: string; readonly id: number } | { readonly error: string; readonly fileName?: string };

export function RecordingPage({ src }: { src?: string }) {
  const opened = useOpenedRecording();
  const fetched = useServedRecording(src);
  const loaded: Loaded | undefined = src !== undefined ? fetched : opened;
  useDocumentTitle(loaded && 'recording' in loaded ? `Recording of ${loaded.recording.execution.name}` : 'Recording');
  if (loaded && 'recording' in loaded) {
    // Keyed: another recording starts with nothing selected.
    return <RecordingView key={`${src === undefined ? 'opened' : 'served'}:${loaded.id}`} recording={loaded.recording} fileName={loaded.fileName} />;
  }
  return (
    <>
      <h1>Recording</h1>
      {loaded === undefined && src !== undefined ? (
        <p className="muted">Loading {src}…</p>
      ) : (
        <>
          <ErrorMessage error={loaded?.error} />
          <p>
            A recording is one execution kept in a file: its definition, what happened and its whole history. Make one with{' '}
            <code>stepwise run FILE --record OUT.json</code>, then open it here (drop it anywhere on the console, or choose it) or with{' '}
            <code>stepwise view OUT.json</code>. The file is read in your browser only.
          </p>
          <OpenRecordingButton className="button-primary" label="Choose a recording…" />
        </>
      )}
    </>
  );
}

function RecordingView({ recording, fileName }: { recording: Recording; fileName: string }) {
  const data = useRecordedExecution(recording);
  const { stateMachineName, stateMachineArn } = recording.execution;
  return (
    <ExecutionSourceContext.Provider value="recording">
      <ExecutionView
        data={data}
        breadcrumb={
          <>
            <span>Recording</span> › <span title={stateMachineArn}>{stateMachineName}</span>
          </>
        }
        belongsTo={
          <p className="started-by muted" data-testid="recording-note">
            A recording, from {fileName}: what the execution did, as it was when it ended.
          </p>
        }
        origin={
          <div>
            <dt>Recording</dt>
            <dd data-testid="recording-file">{fileName}</dd>
          </div>
        }
      />
    </ExecutionSourceContext.Provider>
  );
}

let lastFetchId = 0;

/** The recording at `src` beside the console, read once per visit; undefined while it loads. */
function useServedRecording(src: string | undefined): Loaded | undefined {
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  useEffect(() => {
    setLoaded(undefined);
    if (src === undefined) return;
    if (!SOURCE_FILE.test(src)) {
      setLoaded({ error: `src must name a .json file beside the console (such as recording.json), not '${src}'.` });
      return;
    }
    const controller = new AbortController();
    const id = ++lastFetchId;
    void (async () => {
      try {
        const response = await fetch(new URL(src, apiBase()), { headers: { Accept: 'application/json' }, cache: 'no-store', signal: controller.signal });
        if (!response.ok) throw new Error(`the server answered ${response.status} ${response.statusText}`.trim());
        const recording = parseRecording(await response.text());
        if (!controller.signal.aborted) setLoaded({ recording, fileName: src, id });
      } catch (e) {
        if (!controller.signal.aborted) setLoaded({ error: `${src} cannot be shown: ${e instanceof Error ? e.message : String(e)}`, fileName: src });
      }
    })();
    return () => controller.abort();
  }, [src]);
  return loaded;
}
