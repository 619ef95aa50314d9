"""The pacing benchmark's fake Twilio, in a process of its own so that the moment a request
arrives is read by a process that does nothing else (not by the bench's, busy serving the
embedded AWS endpoint). Run as `python -m bench.fake_twilio_process <account_sid> <auth_token>
<arrivals.json>`: prints its base URL on the first line of stdout, then keeps the arrival
moments of the calls created (epoch seconds) in <arrivals.json>, rewritten as they come.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from tests.integration.fake_twilio import FakeTwilio, serve


def main() -> None:
    account_sid, auth_token, path = sys.argv[1:4]
    arrivals = Path(path)
    with serve(FakeTwilio(account_sid, auth_token)) as twilio:
        print(twilio.base_url, flush=True)
        written = -1
        while True:
            seen = twilio.call_arrivals()
            if len(seen) != written:
                partial = arrivals.with_suffix(".partial")
                partial.write_text(json.dumps(seen))
                os.replace(partial, arrivals)
                written = len(seen)
            time.sleep(0.1)


if __name__ == "__main__":
    main()
