# The two commands of the README. Both set up .venv themselves on a fresh machine.
.PHONY: run test

run:
	scripts/run.sh $(ARGS)

test:
	scripts/test.sh $(ARGS)
