import datetime

UTC = datetime.timezone.utc
