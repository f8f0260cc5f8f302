/** Every browser route of the contract (CONTRACT §6) inside the app shell, and the settings pages. */
import { lazy, Suspense } from "react";
import { Route, Routes } from "react-router-dom";
import { AppLayout } from "./pages/AppLayout";
import { ApprovalsPage } from "./pages/ApprovalsPage";
import { AuditPage } from "./pages/AuditPage";
import { CatalogPage } from "./pages/CatalogPage";
import { ConnectorsPage } from "./pages/ConnectorsPage";
import { EventsPage } from "./pages/EventsPage";
import { FlowsPage } from "./pages/FlowsPage";
import { HealthPage } from "./pages/HealthPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { PeoplePage } from "./pages/PeoplePage";
import { PoliciesPage } from "./pages/PoliciesPage";
import { RunPage } from "./pages/RunPage";
import { RunsPage } from "./pages/RunsPage";
import { SettingsIndex, SettingsLayout } from "./pages/SettingsLayout";
import { TablesPage } from "./pages/TablesPage";
import { TeamsPage } from "./pages/TeamsPage";
import { TokensPage } from "./pages/TokensPage";
import { VersionPage } from "./pages/VersionPage";
import { Loading } from "./ui/Loading";

// The editor brings the form generator and its JSON Schema validator: loaded when first opened.
const FlowEditorPage = lazy(() => import("./pages/FlowEditorPage").then((module) => ({ default: module.FlowEditorPage })));

// Connections' settings forms come from the same form generator: loaded when first opened too.
const ConnectionsPage = lazy(() => import("./pages/ConnectionsPage").then((module) => ({ default: module.ConnectionsPage })));

function Connections() {
  return (
    <Suspense fallback={<Loading label="Loading connections…" />}>
      <ConnectionsPage />
    </Suspense>
  );
}

function Editor() {
  return (
    <Suspense fallback={<Loading label="Opening the editor…" />}>
      <FlowEditorPage />
    </Suspense>
  );
}

export function App() {
  return (
    <Routes>
      <Route element={<AppLayout />}>
        <Route index element={<FlowsPage />} />
        <Route path="flows/new" element={<Editor />} />
        <Route path="flows/:id" element={<Editor />} />
        <Route path="flows/:id/versions/:number" element={<VersionPage />} />
        <Route path="runs" element={<RunsPage />} />
        <Route path="runs/:id" element={<RunPage />} />
        <Route path="approvals" element={<ApprovalsPage />} />
        <Route path="health" element={<HealthPage />} />
        <Route path="catalog" element={<CatalogPage />} />
        <Route path="settings" element={<SettingsLayout />}>
          <Route index element={<SettingsIndex />} />
          <Route path="people/:personId?" element={<PeoplePage />} />
          <Route path="teams/:teamId?" element={<TeamsPage />} />
          <Route path="tokens" element={<TokensPage />} />
          <Route path="connections/:connectionId?" element={<Connections />} />
          <Route path="connectors/:connectorId?" element={<ConnectorsPage />} />
          <Route path="tables/:tableId?" element={<TablesPage />} />
          <Route path="events" element={<EventsPage />} />
          <Route path="policies/:teamId?" element={<PoliciesPage />} />
          <Route path="audit" element={<AuditPage />} />
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
