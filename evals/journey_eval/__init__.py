"""The assistant eval: conversation scenarios scored by evaluators, and the `journey eval` runner.

Tests say the code does what it says; evals say the assistant helps. See cli.py for the command,
scenario.py for the scenario files, analyst.py for the scripted model, evaluators.py for the checks.
"""
