"""`orders users`: the accounts of the running emulator's Cognito user pool. `add` creates a
confirmed user with a permanent password (as an administrator does in prod's pool, where
self sign-up is off), `list` shows the users and their groups.

The server is found as `orders queues` finds it: `server.json` in its data directory; a server
started with --ephemeral is found through its URL (`--server`, read from its /health)."""

import argparse
import json
import os
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from api.commands import CommandFailed, options
from api.emulator.data_dir import read_server_file

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

_HEALTH_TIMEOUT_SECONDS = 10


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    users = subparsers.add_parser(
        "users",
        help="users of the local Cognito user pool",
        description="Users of the running orders serve's Cognito user pool (docs/identity.md).",
    )
    options.add_data_dir(users, "the data directory of the orders serve to ask")
    users.add_argument(
        "--server",
        default=os.environ.get("ORDERS_SERVER") or None,
        help="the URL of the orders serve to ask instead (one started with --ephemeral), "
        "e.g. http://127.0.0.1:8000 [ORDERS_SERVER]",
    )
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create a confirmed user with a permanent password")
    add.add_argument("email")
    add.add_argument("--password", required=True, help="at least 12 characters, of 4 kinds")
    add.add_argument(
        "--group",
        action="append",
        default=[],
        help="a group of the access policy (repeat for several)",
    )
    add.set_defaults(run=_add)
    actions.add_parser("list", help="the users and their groups").set_defaults(run=_list)


def _add(args: argparse.Namespace) -> int:
    pool_id, cognito = _pool(args)
    groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    unknown = sorted(set(args.group) - groups)
    if unknown:
        _fail(f"no group {', '.join(unknown)} in the pool; its groups: {', '.join(sorted(groups))}")
    errors = cognito.exceptions
    try:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=args.email,
            UserAttributes=[
                {"Name": "email", "Value": args.email},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",  # no invitation: the password is set right below
        )
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=args.email, Password=args.password, Permanent=True
        )
    except errors.UsernameExistsException:
        _fail(f"a user {args.email} exists already")
    except (errors.InvalidParameterException, errors.InvalidPasswordException) as error:
        cognito.admin_delete_user(UserPoolId=pool_id, Username=args.email)
        _fail(error.response["Error"]["Message"])
    for group in args.group:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=args.email, GroupName=group)
    in_groups = f" (groups {', '.join(args.group)})" if args.group else ""
    print(f"{args.email} can sign in{in_groups}")
    return 0


def _list(args: argparse.Namespace) -> int:
    pool_id, cognito = _pool(args)
    for page in cognito.get_paginator("list_users").paginate(UserPoolId=pool_id):
        for user in page["Users"]:
            attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
            groups = cognito.admin_list_groups_for_user(
                UserPoolId=pool_id, Username=user["Username"]
            )["Groups"]
            names = ",".join(g["GroupName"] for g in groups) or "-"
            print(f"{attributes.get('email', user['Username'])}\t{user['UserStatus']}\t{names}")
    return 0


def _pool(args: argparse.Namespace) -> tuple[str, "CognitoIdentityProviderClient"]:
    details = _server_details(args)
    cognito = details.get("cognito")
    if not isinstance(cognito, dict):
        _fail("this orders serve has no user pool (its AWS endpoint has no Cognito)")
    # Imported once there is something to ask: boto3 is slow to load.
    from api.emulator.local_aws import LocalAws

    aws = LocalAws.at(cognito["endpoint"], embedded=True, env={"AWS_REGION": cognito["region"]})
    return str(cognito["userPoolId"]), aws.cognito()


def _server_details(args: argparse.Namespace) -> dict[str, Any]:
    if args.server:
        url = f"{args.server.rstrip('/')}/health"
        try:
            with urllib.request.urlopen(url, timeout=_HEALTH_TIMEOUT_SECONDS) as response:  # noqa: S310  # the user's own server
                details: dict[str, Any] = json.loads(response.read())
                return details
        except (OSError, ValueError) as error:
            _fail(f"no orders serve answers at {args.server} ({error})")
    found = read_server_file(Path(args.data_dir))
    if found is None:
        _fail(
            f"no orders serve is running with the data directory {args.data_dir}: start one "
            "(make serve), or point at it with --data-dir, or with --server at its URL (a "
            "server started with --ephemeral is found only that way)"
        )
    return found


def _fail(message: str) -> NoReturn:
    raise CommandFailed(message)
