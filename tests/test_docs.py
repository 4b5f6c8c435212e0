"""Every setting and every CLI command is documented."""

import click

from paperwire.cli import cli
from paperwire.settings import Settings, env_name
from tests.support.paths import DOCS


def test_every_setting_is_documented():
    text = (DOCS / "settings.md").read_text()
    missing = [env_name(f) for f in Settings.model_fields if f"`{env_name(f)}`" not in text]
    assert not missing, f"add to docs/settings.md: {missing}"


def test_every_cli_command_and_option_is_documented():
    text = (DOCS / "cli.md").read_text()
    missing = []
    for name, command in cli.commands.items():
        if f"`paperwire {name}" not in text:
            missing.append(name)
        for param in command.params:
            if isinstance(param, click.Option):
                for opt in param.opts:
                    if opt.startswith("--") and opt not in text:
                        missing.append(f"{name} {opt}")
    assert not missing, f"add to docs/cli.md: {missing}"
