#!/usr/bin/env python3
"""Baseline for bench/import/run.sh: Python's standard email parser reads the header block of every file
under the given user folders and extracts the fields the importer uses (addresses, date, ids, subject).

--policy default : email.policy.default (decodes RFC 2047, parses address lists and dates) -- what the importer does.
--policy compat32: the legacy policy, raw header strings plus email.utils address/date parsing.
"""
import os, sys, time, email, email.policy, email.utils
from email.parser import BytesHeaderParser

def files(roots):
    for root in roots:
        for d, dirs, names in os.walk(root):
            dirs[:] = sorted(x for x in dirs if not x.startswith('.'))
            for n in sorted(names):
                if not n.startswith('.'):
                    yield os.path.join(d, n)

def main():
    policy_name = 'default'
    args = sys.argv[1:]
    if args and args[0] == '--policy':
        policy_name, args = args[1], args[2:]
    policy = email.policy.default if policy_name == 'default' else email.policy.compat32
    parser = BytesHeaderParser(policy=policy)
    start = time.perf_counter()
    count = addresses = dated = 0
    for path in files(args):
        with open(path, 'rb') as f:
            try:
                msg = parser.parse(f)
            except Exception:
                continue
        count += 1
        try:
            if policy_name == 'default':
                for field in ('from', 'to', 'cc', 'bcc'):
                    h = msg[field]
                    if h is not None:
                        addresses += sum(len(g.addresses) for g in h.groups)
                d = msg['date']
                if d is not None and d.datetime is not None:
                    dated += 1
                _ = (msg['subject'], msg['message-id'], msg['in-reply-to'], msg['references'])
            else:
                for field in ('from', 'to', 'cc', 'bcc'):
                    addresses += len(email.utils.getaddresses(msg.get_all(field, [])))
                if email.utils.parsedate_tz(msg.get('date', '')) is not None:
                    dated += 1
                _ = (msg.get('subject'), msg.get('message-id'), msg.get('in-reply-to'), msg.get('references'))
        except Exception:
            pass
    elapsed = time.perf_counter() - start
    print(f"python email ({policy_name}): {count} files, {addresses} addresses, {dated} dated, {elapsed:.2f} s")

if __name__ == '__main__':
    main()
