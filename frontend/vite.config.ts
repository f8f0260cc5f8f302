import react from "@vitejs/plugin-react";
import { loadEnv } from "vite";
import { defineConfig } from "vitest/config";

// Django serves the build: assets under /static/, index.html for every browser route.
// `npm run dev` serves the app at / and proxies the rest to Django (sign in at /login/ first);
// SWITCHBOARD_URL names that Django server (default http://127.0.0.1:8000).
export default defineConfig(({ command, mode }) => {
  const backend = loadEnv(mode, ".", "SWITCHBOARD_").SWITCHBOARD_URL || "http://127.0.0.1:8000";
  // The Host header stays the dev server's, so Django's CSRF origin check accepts the sign-in form.
  const to = (target: string, ws = false) => ({ target, changeOrigin: false, ws });
  return {
    base: command === "build" ? "/static/" : "/",
    plugins: [react()],
    build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
    server: {
      proxy: {
        "/api": to(backend),
        "/hooks": to(backend),
        "/login": to(backend),
        "/logout": to(backend),
        "/ws": to(backend.replace(/^http/, "ws"), true),
      },
    },
    test: {
      environment: "jsdom",
      setupFiles: ["src/testSetup.ts"],
      css: false,
    },
  };
});
