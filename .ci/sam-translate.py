#!/usr/bin/env python3
"""Translates template.yaml with the SAM translator (what `sam deploy` hands CloudFormation), offline, with every
parameter at its default unless given as Name=Value arguments, and writes the CloudFormation JSON to stdout.
Fails (exit 1) when the translation fails. Used by .ci/run, whose cfn-lint then checks the translated stack."""
import json
import os
import sys

import yaml
from samtranslator.parser.parser import Parser
from samtranslator.translator.transform import transform
from samtranslator.public.exceptions import InvalidDocumentException


class NoPolicies:
    """Managed policy names resolve to ARNs offline: the template names none by name."""

    def load(self):
        return {}


def main():
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    path = "template.yaml"
    overrides = dict(a.split("=", 1) for a in sys.argv[1:])
    with open(path) as f:
        template = yaml.safe_load(f)
    # as `sam package` does: local code locations become the S3 objects it uploads
    for logical_id, resource in template.get("Resources", {}).items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = "s3://switchboard-artifacts/%s.zip" % logical_id
    params = {k: str(v.get("Default", "")) for k, v in template.get("Parameters", {}).items()}
    params.update(overrides)
    params.update({"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
                   "AWS::StackName": "switchboard"})
    try:
        out = transform(template, params, NoPolicies(), feature_toggle=None)
    except InvalidDocumentException as e:
        for cause in e.causes:
            print("SAM translation error: " + cause.message, file=sys.stderr)
        sys.exit(1)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
