"""The device endpoints: ZKTeco PUSH under /iclock/, Hikvision ISAPI under /hik/events/.

The order of business for a data upload, and why:
1. ``admission.admit_*``: identify the device (ZKTeco: registered serial number,
   optional source network; Hikvision: the secret token in the path) and apply its
   rate limit. Unknown and unapproved devices are refused, so the device keeps
   its data until staff approve it;
2. ``admission.refuse`` handles every refusal the same way: a per-address limit
   before any row is written, at most a small prefix of the body kept, an unknown
   ZKTeco serial recorded as a pending device (capped, expiring);
3. an admitted upload is stored raw (``attendance.services.ingest.store``) and committed,
   *then* answered: if storing fails the device gets a 500 and sends again; nothing
   is acknowledged that is not durable. Parsing happens in a task queued on commit;
   a broker that is down delays it, never the device;
4. ``OK:<n>`` counts every line of the upload, since every line is now stored
   (accepted, duplicate or quarantined): a poison line must not make the terminal
   resend the batch forever.
Heartbeats (getrequest, ping, Hikvision videoloss) write nothing to the database:
liveness goes to the cache (``attendance.services.liveness``), or, without Redis, to the
database at most once a minute per device.
"""
