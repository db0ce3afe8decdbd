//! The authorizer binary under a local Lambda Runtime API, with tokens from a user pool in
//! moto's Cognito: valid ID and access tokens are allowed in every place an API puts them;
//! a tampered signature, another client's token and a missing token are `Unauthorized`.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType};
use docex_testkit::moto::{self, unique_name};
use docex_testkit::runtime_api::{Function, Reply};
use serde_json::{Value, json};

const METHOD_ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:api123/prod/GET/jobs";

struct Pool {
    id: String,
    client_id: String,
    other_client_id: String,
    cognito: Client,
}

async fn pool() -> Pool {
    let cognito = Client::new(&moto::moto().sdk_config().await);
    let id =
        cognito.create_user_pool().pool_name(unique_name("users")).send().await.unwrap().user_pool.unwrap().id.unwrap();
    let mut clients = Vec::new();
    for _ in 0..2 {
        let client = cognito
            .create_user_pool_client()
            .user_pool_id(&id)
            .client_name(unique_name("web"))
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .send()
            .await
            .unwrap();
        clients.push(client.user_pool_client.unwrap().client_id.unwrap());
    }
    cognito.admin_create_user().user_pool_id(&id).username("ada").send().await.unwrap();
    cognito
        .admin_set_user_password()
        .user_pool_id(&id)
        .username("ada")
        .password("Correct-Horse-9")
        .permanent(true)
        .send()
        .await
        .unwrap();
    Pool { id, client_id: clients[0].clone(), other_client_id: clients[1].clone(), cognito }
}

/// (ID token, access token) of the user, issued to `client_id`.
async fn tokens(pool: &Pool, client_id: &str) -> (String, String) {
    let auth = pool
        .cognito
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "ada")
        .auth_parameters("PASSWORD", "Correct-Horse-9")
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    (auth.id_token.unwrap(), auth.access_token.unwrap())
}

async fn authorizer(pool: &Pool) -> Function {
    let env = [
        ("AWS_REGION", moto::REGION.to_string()),
        ("DOCEX_COGNITO_ISSUER", format!("https://cognito-idp.{}.amazonaws.com/{}", moto::REGION, pool.id)),
        ("DOCEX_COGNITO_CLIENT_ID", pool.client_id.clone()),
        ("DOCEX_COGNITO_JWKS_URL", format!("{}/{}/.well-known/jwks.json", moto::moto().endpoint(), pool.id)),
    ];
    Function::start(std::path::Path::new(env!("CARGO_BIN_EXE_authorizer")), "authorizer", &env).await.unwrap()
}

async fn answer(function: &mut Function, event: Value) -> Reply {
    function.invoke(event, Duration::from_secs(30)).await.expect("an answer")
}

fn unauthorized() -> Reply {
    Reply::Error { error_type: "Unauthorized".into(), error_message: "Unauthorized".into() }
}

#[tokio::test(flavor = "multi_thread")]
async fn valid_tokens_are_allowed_wherever_the_api_puts_them() {
    let pool = pool().await;
    let (id_token, access_token) = tokens(&pool, &pool.client_id).await;
    let mut function = authorizer(&pool).await;
    let events = [
        json!({"type": "TOKEN", "authorizationToken": format!("Bearer {id_token}"), "methodArn": METHOD_ARN}),
        json!({"type": "REQUEST", "headers": {"authorization": format!("Bearer {access_token}")}, "methodArn": METHOD_ARN}),
        json!({"type": "REQUEST", "queryStringParameters": {"token": id_token}, "methodArn": METHOD_ARN}),
    ];
    let mut principals = Vec::new();
    for event in events {
        let Reply::Response(policy) = answer(&mut function, event).await else { panic!("refused a valid token") };
        assert_eq!(policy["policyDocument"]["Statement"][0]["Effect"], "Allow");
        assert_eq!(
            policy["policyDocument"]["Statement"][0]["Resource"],
            "arn:aws:execute-api:us-east-1:123456789012:api123/prod/*"
        );
        assert_eq!(policy["context"]["owner"], policy["principalId"]);
        principals.push(policy["principalId"].as_str().unwrap().to_string());
    }
    assert!(!principals[0].is_empty());
    assert!(principals.iter().all(|p| *p == principals[0]), "one user, one owner: {principals:?}");
    assert!(function.init_duration().is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_foreign_and_missing_tokens_are_unauthorized() {
    let pool = pool().await;
    let (id_token, _) = tokens(&pool, &pool.client_id).await;
    let (foreign, _) = tokens(&pool, &pool.other_client_id).await;
    let mut function = authorizer(&pool).await;
    let mut tampered = id_token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let mut forged_claims: Vec<&str> = id_token.split('.').collect();
    let other_payload = foreign.split('.').nth(1).unwrap().to_string();
    forged_claims[1] = &other_payload;
    let spliced = forged_claims.join(".");
    for token in [tampered, foreign, spliced, String::new(), "not-a-jwt".to_string()] {
        let event = json!({"type": "TOKEN", "authorizationToken": format!("Bearer {token}"), "methodArn": METHOD_ARN});
        assert_eq!(answer(&mut function, event).await, unauthorized());
    }
    assert_eq!(answer(&mut function, json!({"type": "REQUEST", "methodArn": METHOD_ARN})).await, unauthorized());
}
