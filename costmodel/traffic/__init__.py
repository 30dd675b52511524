"""Traffic from logs: read real usage records and write a scenario's traffic section.

* :mod:`~costmodel.traffic.records` one usage record per request, parsed from each supported
  format (pure, one line or row at a time);
* :mod:`~costmodel.traffic.profile` the streaming accumulator and the :class:`TrafficProfile`
  it produces (requests per day, token distributions, hourly profile);
* :mod:`~costmodel.traffic.reader` reading a file line by line in bounded memory, reporting
  malformed records by line and skipping them.

``costmodel traffic import FILE`` is the CLI; ``costmodel bench --traffic FILE`` replays the
imported token lengths and arrival rate.
"""

from costmodel.traffic.profile import Distribution, TrafficAccumulator, TrafficProfile
from costmodel.traffic.records import FORMATS, UsageRecord

__all__ = ["FORMATS", "Distribution", "TrafficAccumulator", "TrafficProfile", "UsageRecord"]
