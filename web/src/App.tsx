/**
 * The console's frame: skip link, navigation, and the page for the current hash route. When the
 * server needs a key (console-config.json), the sign-in page comes first, and the header names
 * the key and offers Sign out. A recording file dropped on any page, or chosen with "Open
 * recording…", opens on the recording page.
 */
import { useEffect, useRef } from 'react';
import { loadConsoleConfig, signOut, useSession } from './auth/session.js';
import { SignInPage } from './auth/SignInPage.js';
import { ActivitiesPage } from './pages/ActivitiesPage.js';
import { EditorPage } from './pages/EditorPage.js';
import { ExecutionPage } from './pages/ExecutionPage.js';
import { ExecutionsPage } from './pages/ExecutionsPage.js';
import { MachinePage } from './pages/MachinePage.js';
import { RecordingPage } from './pages/RecordingPage.js';
import { OpenRecordingButton, RecordingDropTarget } from './recording/RecordingFiles.js';
import { StateMachinesPage } from './pages/StateMachinesPage.js';
import { TriggersPage } from './pages/TriggersPage.js';
import { href, useRoute, type Route } from './router.js';

export function App() {
  const { config, key } = useSession();
  useEffect(() => {
    void loadConsoleConfig();
  }, []);
  if (!config) return <p className="muted loading-console">Loading…</p>;
  if (config.authRequired && !key) {
    return (
      <main id="main" tabIndex={-1}>
        <SignInPage />
      </main>
    );
  }
  return <Console />;
}

function Console() {
  const route = useRoute();
  const { config, key } = useSession();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // Moving to another page moves the focus to its content, as a page load would.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [route.page, 'arn' in route ? route.arn : '']);

  const section =
    route.page === 'executions' || route.page === 'execution'
      ? 'executions'
      : route.page === 'activities' || route.page === 'triggers'
        ? route.page
        : route.page === 'recording'
          ? undefined
          : 'state-machines';
  return (
    <>
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header className="app-header">
        <a className="brand" href={href.stateMachines()}>
          Stepwise
        </a>
        <nav aria-label="Main">
          <ul>
            <li>
              <a href={href.stateMachines()} aria-current={section === 'state-machines' ? 'page' : undefined}>
                State machines
              </a>
            </li>
            <li>
              <a href={href.executions()} aria-current={section === 'executions' ? 'page' : undefined}>
                Executions
              </a>
            </li>
            <li>
              <a href={href.activities()} aria-current={section === 'activities' ? 'page' : undefined}>
                Activities
              </a>
            </li>
            <li>
              <a href={href.triggers()} aria-current={section === 'triggers' ? 'page' : undefined}>
                Triggers
              </a>
            </li>
          </ul>
        </nav>
        <div className="header-end">
          <OpenRecordingButton className="header-button" />
        </div>
        {config?.authRequired && key && (
          <div className="identity">
            <span data-testid="signed-in-as" title={key.arn}>
              Signed in as <strong>{key.name}</strong>
            </span>
            <button type="button" onClick={() => signOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
      <RecordingDropTarget />
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'state-machines':
      return <StateMachinesPage />;
    case 'create':
      return <EditorPage />;
    case 'edit':
      return <EditorPage key={route.arn} arn={route.arn} />;
    case 'machine':
      return <MachinePage key={route.arn} arn={route.arn} tab={route.tab} />;
    case 'executions':
      return <ExecutionsPage key={route.status ?? ''} status={route.status} />;
    case 'execution':
      return <ExecutionPage key={route.arn} arn={route.arn} />;
    case 'activities':
      return <ActivitiesPage />;
    case 'triggers':
      return <TriggersPage />;
    case 'recording':
      return <RecordingPage src={route.src} />;
    default:
      return (
        <>
          <h1>Page not found</h1>
          <p>
            Nothing is at <code>{route.path}</code>. <a href={href.stateMachines()}>Go to the state machines</a>.
          </p>
        </>
      );
  }
}
