//! The CIS AWS Foundations Benchmark v5.0.0 metric filters (section 4, Monitoring, 4.1-4.15),
//! verbatim as `../shared/data/cis-metric-filters.json` transcribes them (CIS v3.0.0 and v4.0.x
//! print the same strings except 4.10, which lacks `ModifySecurityGroupRules` before v5.0.0).
//! 4.2 is the benchmark's default variant (not the SSO one).

/// One benchmark control's metric filter.
#[derive(Debug, Clone, Copy)]
pub struct CisFilter {
    /// Control number in the benchmark, e.g. `4.1`.
    pub control: &'static str,
    /// The metric name ctl publishes it under.
    pub metric: &'static str,
    pub title: &'static str,
    pub pattern: &'static str,
}

/// The benchmark the filters come from.
pub const BENCHMARK: &str = "CIS AWS Foundations Benchmark v5.0.0";

/// The fifteen filters, in control order.
pub const FILTERS: [CisFilter; 15] = [
    CisFilter {
        control: "4.1",
        metric: "CIS-4.1-UnauthorizedAPICalls",
        title: "4.1 Ensure unauthorized API calls are monitored",
        pattern: "{ ($.errorCode =\"*UnauthorizedOperation\") || ($.errorCode =\"AccessDenied*\") && ($.sourceIPAddress!=\"delivery.logs.amazonaws.com\") && ($.eventName!=\"HeadBucket\") }",
    },
    CisFilter {
        control: "4.2",
        metric: "CIS-4.2-ConsoleSigninWithoutMFA",
        title: "4.2 Ensure management console sign-in without MFA is monitored",
        pattern: "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") }",
    },
    CisFilter {
        control: "4.3",
        metric: "CIS-4.3-RootAccountUsage",
        title: "4.3 Ensure usage of the 'root' account is monitored",
        pattern: "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }",
    },
    CisFilter {
        control: "4.4",
        metric: "CIS-4.4-IAMPolicyChanges",
        title: "4.4 Ensure IAM policy changes are monitored",
        pattern: "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}",
    },
    CisFilter {
        control: "4.5",
        metric: "CIS-4.5-CloudTrailConfigChanges",
        title: "4.5 Ensure CloudTrail configuration changes are monitored",
        pattern: "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    },
    CisFilter {
        control: "4.6",
        metric: "CIS-4.6-ConsoleAuthenticationFailures",
        title: "4.6 Ensure AWS Management Console authentication failures are monitored",
        pattern: "{ ($.eventName = ConsoleLogin) && ($.errorMessage = \"Failed authentication\") }",
    },
    CisFilter {
        control: "4.7",
        metric: "CIS-4.7-DisableOrDeleteCMK",
        title: "4.7 Ensure disabling or scheduled deletion of customer created CMKs is monitored",
        pattern: "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
    },
    CisFilter {
        control: "4.8",
        metric: "CIS-4.8-S3BucketPolicyChanges",
        title: "4.8 Ensure S3 bucket policy changes are monitored",
        pattern: "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    },
    CisFilter {
        control: "4.9",
        metric: "CIS-4.9-AWSConfigChanges",
        title: "4.9 Ensure AWS Config configuration changes are monitored",
        pattern: "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }",
    },
    CisFilter {
        control: "4.10",
        metric: "CIS-4.10-SecurityGroupChanges",
        title: "4.10 Ensure security group changes are monitored",
        pattern: "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }",
    },
    CisFilter {
        control: "4.11",
        metric: "CIS-4.11-NACLChanges",
        title: "4.11 Ensure Network Access Control List (NACL) changes are monitored",
        pattern: "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
    },
    CisFilter {
        control: "4.12",
        metric: "CIS-4.12-NetworkGatewayChanges",
        title: "4.12 Ensure changes to network gateways are monitored",
        pattern: "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    },
    CisFilter {
        control: "4.13",
        metric: "CIS-4.13-RouteTableChanges",
        title: "4.13 Ensure route table changes are monitored",
        pattern: "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }",
    },
    CisFilter {
        control: "4.14",
        metric: "CIS-4.14-VPCChanges",
        title: "4.14 Ensure VPC changes are monitored",
        pattern: "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
    },
    CisFilter {
        control: "4.15",
        metric: "CIS-4.15-OrganizationsChanges",
        title: "4.15 Ensure AWS Organizations changes are monitored",
        pattern: "{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = \"AcceptHandshake\") || ($.eventName = \"AttachPolicy\") || ($.eventName = \"CreateAccount\") || ($.eventName = \"CreateOrganizationalUnit\") || ($.eventName = \"CreatePolicy\") || ($.eventName = \"DeclineHandshake\") || ($.eventName = \"DeleteOrganization\") || ($.eventName = \"DeleteOrganizationalUnit\") || ($.eventName = \"DeletePolicy\") || ($.eventName = \"DetachPolicy\") || ($.eventName = \"DisablePolicyType\") || ($.eventName = \"EnablePolicyType\") || ($.eventName = \"InviteAccountToOrganization\") || ($.eventName = \"LeaveOrganization\") || ($.eventName = \"MoveAccount\") || ($.eventName = \"RemoveAccountFromOrganization\") || ($.eventName = \"UpdatePolicy\") || ($.eventName = \"UpdateOrganizationalUnit\")) }",
    },
];
