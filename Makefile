# The Makefile only delegates: to pnpm (pinned, started through npx so a fresh machine needs only Node + npm)
# and to the stack CLI. Every Node process the project runs is the pinned Node 24 from node_modules/.bin.
PNPM := npx -y pnpm@10.34.8
export TURBO_TELEMETRY_DISABLED := 1

.PHONY: install stack-up stack-status stack-down stack-reset demo test typecheck lint down

node_modules/.modules.yaml: pnpm-lock.yaml package.json
	$(PNPM) install --frozen-lockfile
	@touch $@

install: node_modules/.modules.yaml

stack-up: install
	$(PNPM) run stack up

stack-status: install
	$(PNPM) run stack status

stack-down down: install
	$(PNPM) run stack down

stack-reset: install
	$(PNPM) run stack reset

# README command 1: installs everything, brings the stack up and runs the system.
demo: stack-up
	$(PNPM) run demo

# README command 2: installs everything, brings the stack up and runs every test on it.
test: stack-up
	$(PNPM) run test

typecheck: install
	$(PNPM) run typecheck

lint: install
	$(PNPM) run lint
