import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { FlowsPage } from "./pages/FlowsPage";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <FlowsPage />
  </StrictMode>,
);
