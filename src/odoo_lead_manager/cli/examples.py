"""The examples each verb's --help ends with: real command lines, each of which the parser
accepts as written (tests/cli/test_help.py)."""

DAILYDIST_EPILOG = """\
examples:
  odlm dailydist --config daily_distribution_config.yaml
  odlm dailydist --config config.yaml --dry-run
  odlm dailydist --config config.yaml --dry-run --plan-out plan.json
  odlm apply plan.json --config config.yaml
  odlm undo RUN_ID --config config.yaml --dry-run
  odlm undo RUN_ID --config config.yaml
  odlm digests resend RUN_ID --config config.yaml
  odlm dailydist --config config.yaml --dry-run --export-excluded excluded.csv
  odlm explain 1234 --config config.yaml
  odlm replay RUN_ID --config config.yaml --seed 7
  odlm compare --config a.yaml --config b.yaml --runs 2026-11-01..2026-11-30
  odlm dailydist --config config.yaml --max-leads 100
  odlm dailydist --config config.yaml --today 2026-12-04 --run-again
  odlm dailydist --config config.yaml --override-date-range "2024-01-01,2024-06-30"
  odlm dailydist --generate-config --output daily_distribution_config.yaml
  odlm dailydist --generate-config --campaign Voice --template advanced --output voice.yaml
"""


# Real examples for each verb's --help (dailydist has its own, longer, epilog).
EXAMPLES = {
    "demo": (
        "odlm demo --dir demo",
        "odlm demo --dir demo --today 2026-12-01 --overwrite",
        "odlm demo --dir big-demo --leads 100000",
    ),
    "apply": (
        "odlm dailydist --config config.yaml --dry-run --plan-out plan.json",
        "odlm apply plan.json --config config.yaml",
        "odlm apply plan.json --config config.yaml --run-again",
    ),
    "undo": (
        "odlm runs --config config.yaml",
        "odlm undo 5503bc2b --config config.yaml --dry-run",
        "odlm undo 5503bc2b --config config.yaml",
        "odlm undo 5503bc2b --config config.yaml --yes",
    ),
    "digests": (
        "odlm status --config config.yaml",
        "odlm digests resend 5503bc2b --config config.yaml",
    ),
    "runs": ("odlm runs --config config.yaml", "odlm runs --config config.yaml --limit 5"),
    "fairness": (
        "odlm fairness --config config.yaml",
        "odlm fairness --config config.yaml --days 40 --format json",
    ),
    "status": (
        "odlm status --config voice.yaml --config apple.yaml",
        "odlm status --config config.yaml --format json",
    ),
    "retention": (
        "odlm retention --config config.yaml --dry-run",
        "odlm retention --config config.yaml --days 90",
    ),
    "report": (
        "odlm report daily --config config.yaml",
        "odlm report salesperson --user 'Alice Smith' --days 30 --config config.yaml",
        "odlm report site site/ --config config.yaml",
    ),
    "check": ("odlm check --config config.yaml", "odlm check --config config.yaml --offline"),
    "replay": (
        "odlm replay 5503bc2b --config config.yaml",
        "odlm replay 5503bc2b --config config.yaml --seed 7 --format json",
    ),
    "explain": (
        "odlm explain 1234 --config config.yaml",
        "odlm explain 1234 --config config.yaml --run 5503bc2b --format json",
    ),
    "compare": (
        "odlm compare --config a.yaml --config b.yaml --runs 2026-11-01..2026-11-30",
        "odlm compare --config a.yaml --config b.yaml --format html --output compare.html",
    ),
    "completion": (
        "odlm completion bash > ~/.local/share/bash-completion/completions/odlm",
        "odlm completion zsh > ~/.zfunc/_odlm",
        "odlm completion fish > ~/.config/fish/completions/odlm.fish",
    ),
    "schema": (
        "odlm schema --output odlm-config.schema.json",
        "odlm schema --format markdown --output reference.md",
    ),
}
