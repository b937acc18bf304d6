#!/bin/sh
# Sets up every trigger of this example on a running `stepwise serve`, with the AWS CLI:
#   - the state machines process-order and daily-report;
#   - a schedule that starts daily-report every day at 06:00 in Paris;
#   - a rule that starts process-order for every "order placed" event of more than 100;
#   - a rule that posts to the webhook (webhook.mjs) when process-order fails.
# STEPWISE_ENDPOINT (default http://127.0.0.1:8083), WEBHOOK_URL (default http://127.0.0.1:9000/alerts).
set -eu
cd "$(dirname "$0")"
E="--endpoint-url ${STEPWISE_ENDPOINT:-http://127.0.0.1:8083}"
WEBHOOK_URL="${WEBHOOK_URL:-http://127.0.0.1:9000/alerts}"
ROLE=arn:aws:iam::111111111111:role/stepwise
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}" AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" AWS_PAGER=""

ORDERS=$(aws stepfunctions create-state-machine $E --name process-order --role-arn $ROLE \
  --definition file://process-order.asl.json --query stateMachineArn --output text)
REPORT=$(aws stepfunctions create-state-machine $E --name daily-report --role-arn $ROLE \
  --definition file://daily-report.asl.json --query stateMachineArn --output text)

# A schedule: every day at 06:00, Paris time; the input says which day it was due.
aws scheduler create-schedule $E --name daily-report \
  --schedule-expression 'cron(0 6 * * ? *)' --schedule-expression-timezone Europe/Paris \
  --flexible-time-window '{"Mode": "OFF"}' \
  --target "{\"Arn\": \"$REPORT\", \"RoleArn\": \"$ROLE\", \"Input\": \"{\\\"day\\\": \\\"<aws.scheduler.scheduled-time>\\\"}\"}" >/dev/null

# A rule on the shop's events: big orders start process-order with the event's detail as input.
aws events put-rule $E --name big-order --event-pattern file://big-order.pattern.json >/dev/null
aws events put-targets $E --rule big-order --targets "Id=process,Arn=$ORDERS,RoleArn=$ROLE,InputPath=\$.detail" >/dev/null

# A rule on Stepwise's own status change events: a failed order posts to the webhook.
CONNECTION=$(aws events create-connection $E --name webhook --authorization-type API_KEY \
  --auth-parameters '{"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "example-key"}}' \
  --query ConnectionArn --output text)
# --cli-input-json: AWS CLI v1 would fetch an http:// argument and send what it answered.
DESTINATION=$(aws events create-api-destination $E --query ApiDestinationArn --output text --cli-input-json \
  "{\"Name\": \"webhook\", \"ConnectionArn\": \"$CONNECTION\", \"HttpMethod\": \"POST\", \"InvocationEndpoint\": \"$WEBHOOK_URL\"}")
aws events put-rule $E --name order-failed --event-pattern file://order-failed.pattern.json >/dev/null
aws events put-targets $E --rule order-failed --targets "$(sed "s|@API_DESTINATION_ARN@|$DESTINATION|" order-failed.targets.json)" >/dev/null

echo "set up: process-order, daily-report, schedule daily-report, rules big-order and order-failed"
