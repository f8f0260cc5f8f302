"""The peers the benchmark measures Switchboard against (Node-RED, n8n): their npm package.json
templates, their flow templates, and the helpers that install and run them in a scratch folder."""
