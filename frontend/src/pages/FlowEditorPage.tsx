/**
 * The canvas editor of a flow's draft (`/flows/{id}`), and of a new flow (`/flows/new`, created on
 * its first change): palette on the left, canvas in the middle, the side panel on the right. People
 * who may not write flows see the same canvas read-only: no palette, no editing, nothing saved.
 */
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { ApiError } from "../api/client";
import { useFlow } from "../api/flows";
import { useCan } from "../api/me";
import { useNodeTypeMap, useNodeTypes } from "../api/nodeTypes";
import { useLatestRun } from "../api/runs";
import { useRunSocket } from "../api/runSocket";
import { FLOW_SCHEMA, type Flow, type NodeType } from "../api/types";
import { NODE_HEIGHT, NODE_WIDTH } from "../canvas/autoLayout";
import { EditorCanvas } from "../canvas/EditorCanvas";
import { outputPorts } from "../canvas/flowGraph";
import { Palette } from "../canvas/Palette";
import { runNodeStatuses, runTakenEdges } from "../canvas/runStatuses";
import { useDraftSaveStore } from "../stores/draftSaveStore";
import { useEditorStore } from "../stores/editorStore";
import { useTestRunStore } from "../stores/testRunStore";
import { showToast } from "../stores/toastStore";
import { groupProblems, useValidationStore } from "../stores/validationStore";
import { EmptyState } from "../ui/EmptyState";
import { Loading } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { EditorHeader } from "./flowEditor/EditorHeader";
import { FlowPanel } from "./flowEditor/FlowPanel";
import { NodePanel } from "./flowEditor/NodePanel";
import { ProblemsDrawer } from "./flowEditor/ProblemsDrawer";
import { SubmitDialog } from "./flowEditor/SubmitDialog";
import { TestRunBar } from "./flowEditor/TestRunBar";
import { TestRunDialog } from "./flowEditor/TestRunDialog";
import { useDraftAutosave } from "./flowEditor/useDraftAutosave";
import { useEditorShortcuts } from "./flowEditor/useEditorShortcuts";
import { useLiveValidation } from "./flowEditor/useLiveValidation";

const NEW_FLOW_NAME = "Untitled flow";

/** A flow just created from /flows/new: the editor store already holds it (with its history), so it is not loaded again. */
let justCreated: string | null = null;

export function FlowEditorPage() {
  const { id } = useParams();
  const flow = useFlow(id);
  const nodeTypes = useNodeTypes();
  const readOnly = !useCan()("flows:write");
  const key = id ?? "new";
  const [loadedKey, setLoadedKey] = useState<string | null>(null);

  useEffect(() => {
    if (loadedKey === key) return;
    if (id && id === justCreated) {
      setLoadedKey(key);
      return;
    }
    if (id && !flow.data) return;
    useTestRunStore.getState().show(null);
    useDraftSaveStore.getState().reset(0);
    useValidationStore.getState().reset();
    useEditorStore.getState().load(flow.data?.draft ?? { schema: FLOW_SCHEMA, nodes: [], edges: [] });
    if (flow.data?.problems) useValidationStore.getState().setProblems(flow.data.problems, 0);
    justCreated = null;
    setLoadedKey(key);
  }, [key, id, flow.data, loadedKey]);

  useEffect(() => {
    document.title = `${flow.data?.name ?? (id ? "Flow" : "New flow")} · Switchboard`;
  }, [flow.data?.name, id]);

  if (!id && readOnly) {
    return (
      <main className="page">
        <EmptyState title="Only builders make flows" action={<a href="/">Go to the flows</a>}>
          Your role lets you see flows and their runs. Ask an admin for the builder role to make your own.
        </EmptyState>
      </main>
    );
  }
  if (id && flow.error) {
    const notFound = flow.error instanceof ApiError && flow.error.status === 404;
    return (
      <main className="page">
        {notFound ? (
          <EmptyState title="This flow does not exist" action={<a href="/">Go to your flows</a>}>
            It may have been deleted, or the address is wrong.
          </EmptyState>
        ) : (
          <ProblemMessage error={flow.error} title="The flow could not be loaded." />
        )}
      </main>
    );
  }
  if (nodeTypes.error) {
    return (
      <main className="page">
        <ProblemMessage error={nodeTypes.error} title="The node types could not be loaded." />
      </main>
    );
  }
  // A flow just created here keeps its editor (and canvas) while the address changes to its id.
  const ready = loadedKey === key || (id !== undefined && id === justCreated);
  if (!ready || !nodeTypes.data) {
    return (
      <main className="page">
        <Loading label="Opening the flow…" />
      </main>
    );
  }
  return (
    <ReactFlowProvider>
      <Editor flow={flow.data} readOnly={readOnly} />
    </ReactFlowProvider>
  );
}

function Editor({ flow, readOnly }: { flow: Flow | undefined; readOnly: boolean }) {
  const navigate = useNavigate();
  const reactFlow = useReactFlow();
  const nodeTypeMap = useNodeTypeMap();
  const [newName, setNewName] = useState(NEW_FLOW_NAME);
  // Read by autosave when it creates the flow, possibly before the state above is rendered.
  const newNameRef = useRef(NEW_FLOW_NAME);
  // The team a new flow is made in (undefined: its maker's first team).
  const [newTeam, setNewTeam] = useState<number | undefined>(undefined);
  const newTeamRef = useRef<number | undefined>(undefined);
  const [dialog, setDialog] = useState<"test" | "submit" | null>(null);
  const selectedNodeId = useEditorStore((state) => state.selectedNodeId);
  const nodes = useEditorStore((state) => state.nodes);
  const select = useEditorStore((state) => state.select);
  const addNode = useEditorStore((state) => state.addNode);
  const problems = useValidationStore((state) => state.problems);
  const checking = useValidationStore((state) => state.checking);
  const testRunId = useTestRunStore((state) => state.runId);
  const showRun = useTestRunStore((state) => state.show);
  const { run: testRun, state: socketState } = useRunSocket(testRunId);
  const latestRun = useLatestRun(flow?.id);

  const onCreated = useCallback(
    (created: Flow) => {
      justCreated = created.id;
      navigate(`/flows/${created.id}`, { replace: true });
    },
    [navigate],
  );
  const { saveNow } = useDraftAutosave({
    flowId: flow?.id,
    newFlowName: () => newNameRef.current,
    newFlowTeam: () => newTeamRef.current,
    onCreated,
  });
  useLiveValidation(!readOnly);
  const save = useCallback(() => {
    void saveNow().then((ok) => ok && showToast("Draft saved", "success"));
  }, [saveNow]);
  useEditorShortcuts({ onSave: save, enabled: dialog === null && !readOnly });

  // Escape closes the side panel (when not typing in it).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && dialog === null && !(event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement)) {
        useEditorStore.getState().select(null);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [dialog]);

  const grouped = useMemo(() => groupProblems(problems), [problems]);
  // The test run's statuses cover the nodes drawn when it changed (new nodes show none).
  const runDocument = useMemo(() => (testRun ? useEditorStore.getState().document() : null), [testRun]);
  const statuses = useMemo(() => runNodeStatuses(testRun, runDocument), [testRun, runDocument]);
  const takenEdges = useMemo(() => runTakenEdges(testRun, runDocument), [testRun, runDocument]);
  const trigger = nodes.find((node) => nodeTypeMap.get(node.data.nodeType)?.category === "trigger");
  const contextRun = testRun ?? latestRun.data ?? null;

  const onAdd = (nodeType: NodeType) => {
    const selected = selectedNodeId ? nodes.find((node) => node.id === selectedNodeId) : undefined;
    const ports = selected ? outputPorts(nodeTypeMap.get(selected.data.nodeType), selected.data.config) : [];
    const id = addNode(nodeType, undefined, selected ? { connectFrom: { id: selected.id, ports } } : undefined);
    // Bring the new node into view when it landed outside it (the zoom stays).
    requestAnimationFrame(() => {
      const added = useEditorStore.getState().nodes.find((node) => node.id === id);
      const pane = document.querySelector(".editor-canvas")?.getBoundingClientRect();
      if (!added || !pane) return;
      const topLeft = reactFlow.flowToScreenPosition(added.position);
      const bottomRight = reactFlow.flowToScreenPosition({ x: added.position.x + NODE_WIDTH, y: added.position.y + NODE_HEIGHT });
      // The smallest pan that shows the node with a margin.
      const margin = 40;
      const shift = (low: number, high: number, min: number, max: number) =>
        high > max - margin ? Math.max(max - margin - high, min + margin - low) : low < min + margin ? min + margin - low : 0;
      const dx = shift(topLeft.x, bottomRight.x, pane.left, pane.right);
      const dy = shift(topLeft.y, bottomRight.y, pane.top, pane.bottom);
      if (dx || dy) {
        const viewport = reactFlow.getViewport();
        void reactFlow.setViewport({ ...viewport, x: viewport.x + dx, y: viewport.y + dy }, { duration: 250 });
      }
    });
  };

  const onNameChange = (name: string) => {
    newNameRef.current = name;
    setNewName(name);
    // An explicit name creates the flow.
    if (!flow) void saveNow();
  };

  return (
    <div className="editor">
      <EditorHeader
        flow={flow}
        name={flow?.name ?? newName}
        onNameChange={onNameChange}
        onSave={save}
        onTest={() => setDialog("test")}
        onSubmit={() => setDialog("submit")}
        onShowVersions={() => {
          select(null);
          requestAnimationFrame(() => document.getElementById("versions")?.scrollIntoView({ behavior: "smooth" }));
        }}
        canTest={Boolean(flow && trigger)}
        readOnly={readOnly}
      />
      <div className={readOnly ? "editor-body read-only" : "editor-body"}>
        {!readOnly && <Palette onAdd={onAdd} hasTrigger={Boolean(trigger)} />}
        <div className="editor-center">
          {testRunId && <TestRunBar run={testRun} socket={socketState} nodeCount={nodes.length} onClose={() => showRun(null)} />}
          <EditorCanvas
            problems={problems}
            statuses={testRunId ? statuses : undefined}
            takenEdges={testRunId ? takenEdges : undefined}
            readOnly={readOnly}
          />
          <ProblemsDrawer problems={problems} checking={checking} />
        </div>
        {selectedNodeId && nodes.some((node) => node.id === selectedNodeId) ? (
          <NodePanel
            nodeId={selectedNodeId}
            problems={grouped.byNode.get(selectedNodeId) ?? []}
            run={testRunId ? testRun : null}
            contextRun={contextRun}
            readOnly={readOnly}
          />
        ) : (
          <FlowPanel
            flow={flow}
            nodeCount={nodes.length}
            readOnly={readOnly}
            newFlowTeam={newTeam}
            onNewFlowTeamChange={(team) => {
              newTeamRef.current = team;
              setNewTeam(team);
            }}
          />
        )}
      </div>
      {dialog === "test" && flow && (
        <TestRunDialog
          flowId={flow.id}
          trigger={trigger ? { id: trigger.id, type: trigger.data.nodeType, config: trigger.data.config } : undefined}
          onClose={() => setDialog(null)}
          beforeStart={saveNow}
          problemCount={problems.length}
          onStarted={(run) => {
            setDialog(null);
            showRun(run.id);
            showToast("Test run started", "info");
          }}
        />
      )}
      {dialog === "submit" && flow && (
        <SubmitDialog
          flowId={flow.id}
          problemCount={problems.length}
          onClose={() => setDialog(null)}
          beforeSubmit={saveNow}
          onSubmitted={(version) => {
            setDialog(null);
            showToast(`Version ${version.number} submitted for approval`, "success");
          }}
        />
      )}
    </div>
  );
}
